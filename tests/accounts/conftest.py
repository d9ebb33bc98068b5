"""Helpers for the authentication tests: reading the error envelope, token claims, bare clients."""

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import AuthSession

ErrorCheck = Callable[..., dict[str, Any]]


def _check_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """Asserts the response is `status` in the one error envelope with `code`; returns its `error`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error"], body
    error = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str)
    assert error["message"]
    return error


def _field_codes(error: dict[str, Any]) -> dict[str, list[str]]:
    """{"field": ["code", ...]} of a validation error envelope."""
    return {field: [item["code"] for item in items] for field, items in error["fields"].items()}


@pytest.fixture
def expect_error() -> ErrorCheck:
    return _check_error


@pytest.fixture
def field_codes() -> Callable[[dict[str, Any]], dict[str, list[str]]]:
    return _field_codes


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Jwt:
    """Reads and rewrites JWTs by hand, the way an attacker would (no signing key needed)."""

    @staticmethod
    def claims(token: str) -> dict[str, Any]:
        return json.loads(_b64url_decode(token.split(".")[1]))

    @staticmethod
    def header(token: str) -> dict[str, Any]:
        return json.loads(_b64url_decode(token.split(".")[0]))

    @staticmethod
    def build(header: dict[str, Any], claims: dict[str, Any], signature: str) -> str:
        return ".".join([_b64url(json.dumps(header).encode()), _b64url(json.dumps(claims).encode()), signature])

    @classmethod
    def unsigned(cls, claims: dict[str, Any]) -> str:
        """An `alg: none` token: header and claims, empty signature."""
        return cls.build({"alg": "none", "typ": "JWT"}, claims, "")

    @classmethod
    def with_claims(cls, token: str, **changes: Any) -> str:
        """The token with its claims changed and its original signature kept."""
        return cls.build(cls.header(token), {**cls.claims(token), **changes}, token.split(".")[2])

    @staticmethod
    def with_corrupted_signature(token: str) -> str:
        """Changes one character in the middle of the signature (the last one may only hold padding bits)."""
        head, body, signature = token.split(".")
        middle = len(signature) // 2
        replacement = "A" if signature[middle] != "A" else "B"
        return f"{head}.{body}.{signature[:middle]}{replacement}{signature[middle + 1 :]}"


@pytest.fixture
def jwt_tool() -> type[Jwt]:
    return Jwt


@pytest.fixture
def bearer() -> Callable[[str], APIClient]:
    """A fresh client that sends `Authorization: Bearer <token>`."""

    def make(token: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def session_of() -> Callable[[str], AuthSession]:
    """The AuthSession a token belongs to, read fresh from the database."""

    def load(token: str) -> AuthSession:
        return AuthSession.objects.get(id=Jwt.claims(token)["sid"])

    return load
