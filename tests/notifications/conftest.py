from collections.abc import Iterator

import pytest

from notifications.push import get_provider
from tests.notifications.fake_fcm import FakeFcm, fake_fcm_server


@pytest.fixture
def fcm(settings) -> Iterator[FakeFcm]:
    """FCM HTTP v1 on loopback; the real firebase-admin client talks to it."""
    with fake_fcm_server() as fake:
        settings.PUSH_PROVIDER = "fcm"
        settings.FCM_ENDPOINT = fake.url
        settings.FCM_PROJECT_ID = "couples-test"
        get_provider.cache_clear()
        yield fake
    get_provider.cache_clear()
