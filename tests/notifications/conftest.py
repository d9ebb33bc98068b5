from collections.abc import Iterator

import pytest

from notifications.push import get_provider
from tests.notifications.fake_fcm import FakeFcm, fake_fcm_server


@pytest.fixture
def fcm(settings) -> Iterator[FakeFcm]:
    """FCM HTTP v1 on loopback; the real FCM provider talks to it."""
    with fake_fcm_server() as fake:
        settings.PUSH_PROVIDER = "fcm"
        settings.FCM_ENDPOINT = fake.url
        settings.FCM_PROJECT_ID = "couples-test"
        get_provider.cache_clear()
        yield fake
        _close(get_provider)
    get_provider.cache_clear()


def _close(provider_factory) -> None:
    """Closes the provider's connections while the server still runs (no stray sockets)."""
    if provider_factory.cache_info().currsize:
        close = getattr(provider_factory(), "close", None)
        if close is not None:
            close()
