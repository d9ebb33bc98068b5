from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.billing.fakes import ApplePki, FakeGoogle, fake_google_server
from tests.notifications.conftest import fcm  # noqa: F401  (the fake FCM server, for the silent-push tests)


@pytest.fixture(scope="session")
def apple_pki() -> ApplePki:
    return ApplePki.create()


@pytest.fixture
def apple(apple_pki: ApplePki, tmp_path: Path, settings: Any) -> ApplePki:
    """Apple's root of trust is the test PKI's root, for this test."""
    root = tmp_path / "test-apple-root.pem"
    root.write_bytes(apple_pki.root_pem())
    settings.APP_STORE_ROOT_CERTIFICATES = [str(root)]
    return apple_pki


@pytest.fixture(scope="session")
def _google_server() -> Iterator[FakeGoogle]:
    with fake_google_server() as fake:
        yield fake


@pytest.fixture
def google(_google_server: FakeGoogle, settings: Any) -> Iterator[FakeGoogle]:
    """Google's key set and the Play Developer API, on loopback, for this test."""
    _google_server.reset()
    settings.PLAY_API_BASE_URL = _google_server.url
    settings.PLAY_PUSH_JWKS_URL = f"{_google_server.url}/oauth2/v3/certs"
    yield _google_server
    _google_server.reset()


def push_token(google: FakeGoogle, **overrides: object) -> str:
    claims = {"audience": settings.PLAY_PUSH_AUDIENCE, "email": settings.PLAY_PUSH_SERVICE_ACCOUNT, **overrides}
    return google.push_token(**claims)  # type: ignore[arg-type]
