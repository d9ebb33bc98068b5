"""The production settings, loaded for real: each test starts a fresh interpreter with
`DJANGO_SETTINGS_MODULE=config.settings.production` and a clean environment (no variable of this
shell leaks in), because the test process itself runs on `config.settings.test` and drf-spectacular
reads its serve settings once, when its views are imported.
"""

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from accounts.services.sessions import session_start
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _env(**overrides: str | None) -> dict[str, str]:
    """What a deployment sets, nothing more: fresh random keys and one host. `None` removes a variable."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "api.example.com,testserver",
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _json_of(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# What the production app answers to a list of requests: each is [path, headers, who], where `who` is
# "anonymous", or "session:<email>" (signed in to the admin), or "bearer:<token>".
_REQUESTS = """
    import json, os, django
    django.setup()
    from django.test import Client
    from accounts.models import User

    answers = []
    for path, headers, who in json.loads(os.environ["PROBE_REQUESTS"]):
        client = Client()
        if who.startswith("session:"):
            client.force_login(User.objects.get(email=who.removeprefix("session:")))
        elif who.startswith("bearer:"):
            headers = {**headers, "Authorization": "Bearer " + who.removeprefix("bearer:")}
        response = client.get(path, headers=headers)
        answers.append({
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": response.content[:300].decode(errors="replace"),
        })
    print(json.dumps(answers))
"""
HTTPS = {"X-Forwarded-Proto": "https"}  # TLS ends at the load balancer, which sets this header


def _probe(requests: list[tuple[str, dict[str, str], str]], **env: str) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = _json_of(_run(_REQUESTS, _env(PROBE_REQUESTS=json.dumps(requests), **env)))
    return answers


def test_debug_is_off_even_when_the_environment_asks_for_it() -> None:
    result = _run(
        """
        import json
        from django.conf import settings
        print(json.dumps({"debug": settings.DEBUG, "renderers": settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]}))
        """,
        _env(DEBUG="true", DJANGO_DEBUG="true"),
    )
    loaded = _json_of(result)
    assert loaded["debug"] is False
    # JSON only: the browsable API (an HTML renderer) is never on in production.
    assert loaded["renderers"] == ["config.api.renderers.JSONRenderer"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "x" * 49}, "SECRET_KEY must be set"),
        ({"JWT_SIGNING_KEY": "y" * 49}, "JWT_SIGNING_KEY must be"),
    ],
    ids=["secret-key-missing", "secret-key-short", "jwt-key-short"],
)
def test_missing_or_short_keys_stop_the_app_from_starting(overrides: dict[str, str | None], message: str) -> None:
    result = _run("from django.conf import settings; settings.DEBUG", _env(**overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_without_a_jwt_key_the_secret_key_signs_tokens() -> None:
    env = _env(JWT_SIGNING_KEY=None)
    result = _run("from django.conf import settings; print(settings.SIMPLE_JWT['SIGNING_KEY'])", env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == env["SECRET_KEY"]


def test_check_deploy_passes_with_no_warning() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_env(ALLOWED_HOSTS="api.example.com"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_api_docs_and_schema_refuse_anonymous_users() -> None:
    docs, schema, html_list, plain_http = _probe(
        [
            ("/api/v1/docs/", HTTPS, "anonymous"),
            ("/api/v1/schema/", HTTPS, "anonymous"),
            ("/api/v1/ritual-templates", {**HTTPS, "Accept": "text/html"}, "anonymous"),
            ("/api/v1/docs/", {}, "anonymous"),
        ]
    )
    for answer in (docs, schema):
        assert answer["status"] == 401, answer
        assert "openapi" not in answer["body"]
        assert "swagger" not in answer["body"].lower()
    # A browser asking for HTML gets JSON (or nothing), never the browsable API's forms.
    assert not html_list["headers"].get("Content-Type", "").startswith("text/html")
    assert "<html" not in html_list["body"].lower()
    # Plain HTTP is sent to HTTPS before any view runs.
    assert plain_http["status"] == 301
    assert plain_http["headers"]["Location"] == "https://testserver/api/v1/docs/"


def test_responses_carry_the_security_headers() -> None:
    (answer,) = _probe([("/api/v1/schema/", HTTPS, "anonymous")])
    for name, value in SECURITY_HEADERS.items():
        assert answer["headers"].get(name) == value, name


def _database_url() -> str:
    """The URL of this test run's own database, so the production process sees the rows made here."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_staff_browse_the_api_docs_and_app_users_are_refused(tmp_path: Path) -> None:
    # Swagger UI links its hashed static files from the manifest, as a deployment's collectstatic builds it.
    static_root = str(tmp_path / "static")
    collected = _manage("collectstatic", "--noinput", env=_env(STATIC_ROOT=static_root))
    assert collected.returncode == 0, collected.stderr
    staff = UserFactory.create(email="staff@example.com", is_staff=True)
    member = UserFactory.create(email="member@example.com")
    staff_token = session_start(user=staff, user_agent="pytest").access
    member_token = session_start(user=member, user_agent="pytest").access

    docs, schema, staff_bearer, member_docs, member_schema = _probe(
        [
            ("/api/v1/docs/", HTTPS, f"session:{staff.email}"),
            ("/api/v1/schema/", HTTPS, f"session:{staff.email}"),
            ("/api/v1/schema/", HTTPS, f"bearer:{staff_token}"),
            ("/api/v1/docs/", HTTPS, f"session:{member.email}"),
            ("/api/v1/schema/", HTTPS, f"bearer:{member_token}"),
        ],
        DATABASE_URL=_database_url(),
        STATIC_ROOT=static_root,
        # The tokens were signed here, with the test settings' key; the production process must share it.
        JWT_SIGNING_KEY=settings.SIMPLE_JWT["SIGNING_KEY"],
    )
    # Staff signed in to the admin get Swagger UI, and the schema it loads with the same session.
    assert docs["status"] == 200
    assert docs["headers"]["Content-Type"].startswith("text/html")
    assert "swagger" in docs["body"].lower()
    for answer in (schema, staff_bearer):
        assert answer["status"] == 200
        assert answer["body"].startswith("openapi:")
    for answer in (member_docs, member_schema):
        assert answer["status"] == 403, answer
        assert "openapi" not in answer["body"]
