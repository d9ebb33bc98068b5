"""Fixtures for the actors every test needs and an API client that signs in like the app does."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services.sessions import TokenPair, session_start
from config.api.ratelimit import reset_fallback
from config.api.shared_responses import CONTENT
from couples.models import Couple
from tests.factories import UserFactory, pair


class AppClient(APIClient):
    """An API client signed in as one user with a real token pair, as the mobile app would be."""

    user: User
    tokens: TokenPair

    def sign_in(self, user: User) -> "AppClient":
        self.user = user
        self.tokens = session_start(user=user, user_agent="pytest")
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {self.tokens.access}")
        return self


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Rate-limit counters live in Redis (or, after a simulated outage, in process memory), and the
    content lists are shared for a few seconds per process (a test's rows are rolled back without a
    signal); every test starts with none."""
    cache.clear()
    reset_fallback()
    CONTENT.clear()
    yield
    CONTENT.clear()
    reset_fallback()
    cache.clear()


@pytest.fixture
def anon() -> AppClient:
    return AppClient()


@pytest.fixture
def me_user(db: None) -> User:
    return UserFactory.create(email="me@example.com", display_name="Me", time_zone="Europe/Berlin")


@pytest.fixture
def me(me_user: User) -> AppClient:
    return AppClient().sign_in(me_user)


@pytest.fixture
def partner_user(me_user: User) -> User:
    """Me's partner (same couple), in another time zone."""
    partner = UserFactory.create(email="partner@example.com", display_name="Sam", time_zone="America/New_York")
    pair(me_user, partner)
    return partner


@pytest.fixture
def couple(me_user: User, partner_user: User) -> Couple:
    return Couple.objects.get(memberships__user=me_user, status=Couple.Status.ACTIVE)


@pytest.fixture
def partner(partner_user: User) -> AppClient:
    return AppClient().sign_in(partner_user)


@pytest.fixture
def stranger_user(db: None) -> User:
    """A user of another couple: must never see or change anything of me's couple."""
    stranger = UserFactory.create(email="stranger@example.com", time_zone="Asia/Kolkata")
    pair(stranger, UserFactory.create(email="stranger-partner@example.com"))
    return stranger


@pytest.fixture
def stranger(stranger_user: User) -> AppClient:
    return AppClient().sign_in(stranger_user)


@pytest.fixture
def loner(db: None) -> AppClient:
    """A signed-in user who is not paired with anyone."""
    return AppClient().sign_in(UserFactory.create(email="loner@example.com", time_zone="Australia/Sydney"))
