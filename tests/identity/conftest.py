from collections.abc import Iterator

import pytest
from django.test import override_settings

from identity import jwks
from tests.accounts.conftest import bearer, expect_error, field_codes, jwt_tool  # noqa: F401  (shared fixtures)
from tests.identity.fake_jwks import FakeIdentityProvider


@pytest.fixture(scope="session")
def _idp_server() -> Iterator[FakeIdentityProvider]:
    server = FakeIdentityProvider()
    yield server
    server.close()


@pytest.fixture
def idp(_idp_server: FakeIdentityProvider) -> Iterator[FakeIdentityProvider]:
    """The fake Apple and Google key servers, with fresh caches and default headers for each test."""
    for provider in _idp_server.providers.values():
        provider.cache_control = "public, max-age=3600"
        provider.failing = False
        provider.fetches = 0
    jwks.reset_caches()
    with override_settings(APPLE_JWKS_URL=_idp_server.url("apple"), GOOGLE_JWKS_URL=_idp_server.url("google")):
        yield _idp_server
    jwks.reset_caches()
