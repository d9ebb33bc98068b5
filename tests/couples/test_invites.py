from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from couples import codes
from couples.models import Invite
from couples.services import MAX_PENDING_INVITES

pytestmark = pytest.mark.django_db


def test_an_unpaired_user_creates_a_typable_single_use_invite(loner):
    response = loner.post("/api/v1/couple/invites")

    assert response.status_code == 201
    body = response.json()
    code = body["code"]
    assert len(code) == 9
    assert code[4] == "-"
    assert set(code.replace("-", "")) <= set(codes.ALPHABET)
    assert not set(code) & set("0O1IL")
    assert body["deep_link"].endswith(f"/join?code={code}")
    assert body["status"] == "pending"
    invite = Invite.objects.get(id=body["id"])
    assert invite.inviter == loner.user
    assert invite.expires_at - invite.created_at == timedelta(hours=48)


def test_a_paired_user_cannot_create_an_invite(me, partner):
    response = me.post("/api/v1/couple/invites")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_paired"
    assert not Invite.objects.filter(inviter=me.user).exists()


def test_open_invites_are_capped(loner):
    for _ in range(MAX_PENDING_INVITES):
        assert loner.post("/api/v1/couple/invites").status_code == 201

    response = loner.post("/api/v1/couple/invites")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "too_many_invites"


def test_the_list_shows_own_invites_with_their_state(loner, stranger):
    first = loner.post("/api/v1/couple/invites").json()
    second = loner.post("/api/v1/couple/invites").json()
    loner.delete(f"/api/v1/couple/invites/{first['id']}")

    response = loner.get("/api/v1/couple/invites")

    assert response.status_code == 200
    states = {item["id"]: item["status"] for item in response.json()["results"]}
    assert states == {first["id"]: "revoked", second["id"]: "pending"}
    assert stranger.get("/api/v1/couple/invites").json()["results"] == []


def test_an_invite_expires_after_48_hours(loner):
    created = loner.post("/api/v1/couple/invites").json()

    with time_machine.travel(timezone.now() + timedelta(hours=48, seconds=1)):
        loner.sign_in(loner.user)  # the access token of two days ago has expired
        listed = loner.get("/api/v1/couple/invites").json()["results"]

    assert listed[0]["id"] == created["id"]
    assert listed[0]["status"] == "expired"


def test_revoking_is_idempotent_and_only_for_the_inviter(loner, stranger):
    invite = loner.post("/api/v1/couple/invites").json()

    assert stranger.delete(f"/api/v1/couple/invites/{invite['id']}").status_code == 404
    assert Invite.objects.get(id=invite["id"]).revoked_at is None
    assert loner.delete(f"/api/v1/couple/invites/{invite['id']}").status_code == 204
    assert loner.delete(f"/api/v1/couple/invites/{invite['id']}").status_code == 204
    assert Invite.objects.get(id=invite["id"]).revoked_at is not None


def test_an_accepted_invite_cannot_be_revoked(loner, anon):
    from tests.conftest import AppClient
    from tests.factories import UserFactory

    invite = loner.post("/api/v1/couple/invites").json()
    joiner = AppClient().sign_in(UserFactory.create())
    assert joiner.post("/api/v1/couple/join", {"code": invite["code"]}).status_code == 201

    response = loner.delete(f"/api/v1/couple/invites/{invite['id']}")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invite_already_used"


def test_listing_invites_takes_two_queries_whatever_their_number(loner, django_assert_num_queries):
    for count in (1, MAX_PENDING_INVITES):
        Invite.objects.filter(inviter=loner.user).delete()
        for _ in range(count):
            loner.post("/api/v1/couple/invites")
        with django_assert_num_queries(2):  # session+user, invites page
            assert loner.get("/api/v1/couple/invites").status_code == 200
