"""Two requests at the same instant (real PostgreSQL, own connections)."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from identity.models import SocialIdentity
from tests.concurrency import race
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_double_tapped_first_sign_in_makes_one_account_and_signs_in_twice(idp):
    for round_ in range(10):
        email = f"tap{round_}@privaterelay.appleid.com"
        body = {"identity_token": idp.token("apple", sub=f"double-tap-{round_}", email=email), "nonce": "raw-nonce"}

        def sign_in(body: dict[str, str] = body) -> int:
            return APIClient().post("/api/v1/auth/apple", body, format="json").status_code

        statuses = race(sign_in, sign_in)

        assert sorted(statuses) == [200, 201], round_
        assert User.objects.filter(email=email).count() == 1
    assert SocialIdentity.objects.count() == 10


def test_two_unlinks_at_once_leave_one_way_in(idp):
    from tests.conftest import AppClient

    user = UserFactory.create()
    user.set_unusable_password()
    user.save()
    apple = SocialIdentity.objects.create(user=user, provider="apple", subject="a")
    google = SocialIdentity.objects.create(user=user, provider="google", subject="g")
    clients = [AppClient().sign_in(user), AppClient().sign_in(user)]

    statuses = race(
        lambda: clients[0].delete(f"/api/v1/me/identities/{apple.pk}").status_code,
        lambda: clients[1].delete(f"/api/v1/me/identities/{google.pk}").status_code,
    )

    assert sorted(statuses) == [204, 409]
    assert SocialIdentity.objects.filter(user=user).count() == 1
