from datetime import timedelta

import pytest
from django.utils import timezone

from couples.models import Couple, Invite, Membership
from couples.services import couples_purge_archived
from couples.signals import couple_ended
from notifications.models import Notification
from tests.conftest import AppClient
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_unpairing_needs_an_explicit_confirmation(me, partner, couple):
    for body in ({}, {"confirm": False}):
        response = me.post("/api/v1/couple/unpair", body)
        assert response.status_code == 400
    couple.refresh_from_db()
    assert couple.status == Couple.Status.ACTIVE


def test_either_partner_unpairs_and_access_ends_for_both_at_once(me, partner, couple):
    partner_token_before = partner.tokens.access

    response = partner.post("/api/v1/couple/unpair", {"confirm": True})

    assert response.status_code == 204
    couple.refresh_from_db()
    assert couple.status == Couple.Status.ENDED
    assert couple.end_reason == Couple.EndReason.UNPAIRED
    assert couple.ended_at is not None
    assert not Membership.objects.filter(couple=couple, is_active=True).exists()
    # The ex-partner's access token is still valid, but the couple's data is gone for both.
    assert me.get("/api/v1/couple").status_code == 404
    assert partner.tokens.access == partner_token_before
    assert partner.get("/api/v1/couple").status_code == 404
    assert me.get("/api/v1/me").status_code == 200


def test_the_other_partner_is_told_and_the_one_who_unpaired_is_not(me, partner):
    partner.post("/api/v1/couple/unpair", {"confirm": True})

    notes = list(Notification.objects.filter(kind="partner_unpaired"))
    assert [n.recipient for n in notes] == [me.user]


def test_unpairing_twice_is_a_clean_404(me, partner):
    assert me.post("/api/v1/couple/unpair", {"confirm": True}).status_code == 204
    response = partner.post("/api/v1/couple/unpair", {"confirm": True})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_paired"


def test_unpairing_stops_scheduled_work_through_the_couple_ended_signal(me, partner, couple):
    received = []

    def handler(sender, couple, **kwargs):
        received.append(couple.id)

    couple_ended.connect(handler)
    try:
        me.post("/api/v1/couple/unpair", {"confirm": True})
    finally:
        couple_ended.disconnect(handler)
    assert received == [couple.id]


def test_both_can_pair_again_with_someone_new(me, partner):
    me.post("/api/v1/couple/unpair", {"confirm": True})
    newcomer = AppClient().sign_in(UserFactory.create())

    invite = me.post("/api/v1/couple/invites").json()
    assert newcomer.post("/api/v1/couple/join", {"code": invite["code"]}).status_code == 201

    assert me.get("/api/v1/couple").json()["partner"]["id"] == str(newcomer.user.id)
    assert Membership.objects.filter(user=me.user).count() == 2
    assert Membership.objects.filter(user=me.user, is_active=True).count() == 1


def test_pending_invites_of_both_die_when_a_couple_ends(me, partner, couple):
    # Invites made before pairing that are somehow still open (e.g. created by an admin script).
    stale = Invite.objects.create(inviter=partner.user, code="STALE234", expires_at=timezone.now() + timedelta(days=1))

    me.post("/api/v1/couple/unpair", {"confirm": True})

    stale.refresh_from_db()
    assert stale.revoked_at is not None


def test_deleting_an_account_ends_the_couple_and_tells_the_partner(me, partner, couple):
    response = me.delete("/api/v1/me", {"password": PASSWORD})

    assert response.status_code == 204
    couple.refresh_from_db()
    assert couple.status == Couple.Status.ENDED
    assert couple.end_reason == Couple.EndReason.ACCOUNT_DELETED
    assert Notification.objects.filter(recipient=partner.user, kind="partner_deleted_account").exists()
    assert partner.get("/api/v1/couple").status_code == 404


def test_archived_couples_are_purged_after_the_archive_period(me, partner, couple, settings):
    me.post("/api/v1/couple/unpair", {"confirm": True})
    couple.refresh_from_db()

    assert couples_purge_archived(now=couple.ended_at + timedelta(days=settings.COUPLE_ARCHIVE_DAYS - 1)) == 0
    assert Couple.objects.filter(id=couple.id).exists()

    couples_purge_archived(now=couple.ended_at + timedelta(days=settings.COUPLE_ARCHIVE_DAYS + 1))
    assert not Couple.objects.filter(id=couple.id).exists()
    # Accounts are never purged with the couple.
    assert me.get("/api/v1/me").status_code == 200
