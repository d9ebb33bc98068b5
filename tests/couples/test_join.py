from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from couples.models import Couple, Invite, Membership
from notifications.models import Notification
from tests.concurrency import race
from tests.conftest import AppClient
from tests.factories import UserFactory, pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def inviter(loner):
    return loner


@pytest.fixture
def invite(inviter):
    return inviter.post("/api/v1/couple/invites").json()


@pytest.fixture
def joiner():
    return AppClient().sign_in(UserFactory.create(display_name="Robin", time_zone="America/New_York"))


def test_joining_pairs_both_and_tells_the_inviter(inviter, invite, joiner):
    response = joiner.post("/api/v1/couple/join", {"code": invite["code"]})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "active"
    assert body["partner"]["id"] == str(inviter.user.id)
    couple = Couple.objects.get(id=body["id"])
    assert set(couple.memberships.filter(is_active=True).values_list("user", flat=True)) == {
        inviter.user.id,
        joiner.user.id,
    }
    note = Notification.objects.get(recipient=inviter.user)
    assert note.kind == "invite_accepted"
    assert "Robin" in note.title
    assert inviter.get("/api/v1/couple").json()["partner"]["id"] == str(joiner.user.id)


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {nodash} ", "{spaced}"])
def test_codes_are_forgiving_about_case_dashes_and_spaces(invite, joiner, typed):
    code = invite["code"]
    variants = {
        "code": code,
        "lower": code.lower(),
        "nodash": code.replace("-", ""),
        "spaced": code.replace("-", " "),
    }
    response = joiner.post("/api/v1/couple/join", {"code": typed.format(**variants)})
    assert response.status_code == 201


def _error(response):
    return response.status_code, response.json()["error"]["code"]


def test_unknown_code(joiner):
    assert _error(joiner.post("/api/v1/couple/join", {"code": "ZZZZ-ZZZZ"})) == (404, "invite_not_found")


def test_expired_code(invite, joiner):
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        joiner.sign_in(joiner.user)
        assert _error(joiner.post("/api/v1/couple/join", {"code": invite["code"]})) == (410, "invite_expired")


def test_revoked_code(inviter, invite, joiner):
    inviter.delete(f"/api/v1/couple/invites/{invite['id']}")
    assert _error(joiner.post("/api/v1/couple/join", {"code": invite["code"]})) == (410, "invite_revoked")


def test_used_code(invite, joiner):
    joiner.post("/api/v1/couple/join", {"code": invite["code"]})
    latecomer = AppClient().sign_in(UserFactory.create())
    assert _error(latecomer.post("/api/v1/couple/join", {"code": invite["code"]})) == (409, "invite_already_used")


def test_own_code(inviter, invite):
    assert _error(inviter.post("/api/v1/couple/join", {"code": invite["code"]})) == (400, "invite_is_own")


def test_a_paired_user_cannot_join(invite, me, partner):
    assert _error(me.post("/api/v1/couple/join", {"code": invite["code"]})) == (409, "already_paired")


def test_an_inviter_who_paired_meanwhile_cannot_be_joined(inviter, joiner):
    first = inviter.post("/api/v1/couple/invites").json()
    second = inviter.post("/api/v1/couple/invites").json()
    assert joiner.post("/api/v1/couple/join", {"code": first["code"]}).status_code == 201
    latecomer = AppClient().sign_in(UserFactory.create())

    # Pairing revoked the inviter's other open invites.
    assert _error(latecomer.post("/api/v1/couple/join", {"code": second["code"]})) == (410, "invite_revoked")


def test_missing_or_malformed_code_is_a_validation_error(joiner):
    assert _error(joiner.post("/api/v1/couple/join", {})) == (400, "validation_error")
    assert _error(joiner.post("/api/v1/couple/join", {"code": ["A"]})) == (400, "validation_error")


def test_guessing_codes_hits_the_rate_limit_long_before_a_lucky_hit(joiner, settings):
    limit = int(settings.RATE_LIMITS["couple_join_user"].split("/")[0])
    statuses = [joiner.post("/api/v1/couple/join", {"code": f"ZZZZ-ZZ{i:02d}"}).status_code for i in range(limit + 5)]

    assert statuses[:limit] == [404] * limit
    assert set(statuses[limit:]) == {429}
    blocked = joiner.post("/api/v1/couple/join", {"code": "ZZZZ-ZZZZ"})
    assert blocked.json()["error"]["code"] == "rate_limited"
    assert blocked.json()["error"]["retry_after"] > 0


def test_the_ip_limit_stops_guessing_spread_over_many_accounts(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "couple_join_ip": "3/3600"}
    clients = [AppClient().sign_in(UserFactory.create()) for _ in range(4)]
    statuses = [c.post("/api/v1/couple/join", {"code": "ZZZZ-ZZZZ"}).status_code for c in clients]
    assert statuses == [404, 404, 404, 429]


def test_join_takes_a_fixed_number_of_queries(invite, joiner, django_assert_num_queries):
    # session+user, savepoint, invite look-up, lock both users, invite lock, 2 membership checks,
    # couple, memberships, invite, other invites, notification, release; then the couple view:
    # membership, both memberships.
    # + 6 for sync: who holds the record, and the counter bump with the state upsert (one statement,
    # sync.changes).
    # + 1: the message copy of the notification (messaging.render.Copy.load).
    # + 1 for the weekly reports: the couple's report schedule (insights.services.schedule_start).
    with django_assert_num_queries(22):
        assert joiner.post("/api/v1/couple/join", {"code": invite["code"]}).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_one_invite_exactly_one_wins():
    for _ in range(5):
        inviter = AppClient().sign_in(UserFactory.create())
        code = inviter.post("/api/v1/couple/invites").json()["code"]
        first, second = AppClient().sign_in(UserFactory.create()), AppClient().sign_in(UserFactory.create())

        responses = race(
            partial(first.post, "/api/v1/couple/join", {"code": code}),
            partial(second.post, "/api/v1/couple/join", {"code": code}),
        )

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 409]
        assert Membership.objects.filter(user=inviter.user, is_active=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_active_couple_holds_when_two_invites_of_one_person_are_accepted_at_once():
    for _ in range(5):
        inviter = AppClient().sign_in(UserFactory.create())
        codes = [inviter.post("/api/v1/couple/invites").json()["code"] for _ in range(2)]
        joiners = [AppClient().sign_in(UserFactory.create()) for _ in range(2)]

        responses = race(
            *[
                lambda c=c, code=code: c.post("/api/v1/couple/join", {"code": code})
                for c, code in zip(joiners, codes, strict=True)
            ]
        )

        assert sorted(r.status_code for r in responses) in ([201, 409], [201, 410])
        assert Membership.objects.filter(user=inviter.user, is_active=True).count() == 1
        assert Couple.objects.filter(memberships__user=inviter.user, status="active").count() == 1


def test_the_database_refuses_a_second_active_membership():
    first, second, third = UserFactory.create(), UserFactory.create(), UserFactory.create()
    couple = pair(first, second)
    other = Couple.objects.create()

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(couple=other, user=first)

    assert Membership.objects.filter(user=first, is_active=True).get().couple == couple
    Membership.objects.create(couple=other, user=third)
    assert Invite.objects.count() == 0
