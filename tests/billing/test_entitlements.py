"""GET me/entitlements and POST me/purchases: premium shared by the couple, the duplicate warning,
unpairing, the silent push to the partner, and the Premium permission."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.models import User
from billing.models import Subscription
from billing.permissions import Premium
from notifications.models import Notification
from tests.billing.fakes import ApplePki, apple_notification, apple_renewal, apple_transaction, ms, play_subscription
from tests.conftest import AppClient
from tests.factories import PASSWORD, UserFactory

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
URL = "/api/v1/me/entitlements"
PURCHASES = "/api/v1/me/purchases"


def _buy_on_app_store(client: AppClient, pki: ApplePki, *, original_id: str, purchased: datetime, **overrides):
    transaction = apple_transaction(
        original_id=original_id,
        expires=NOW + 20 * DAY,
        signed=NOW,
        purchased=purchased,
        account_token=str(client.user.pk),
        **overrides,
    )
    renewal = apple_renewal(original_id=original_id, signed=NOW)
    return client.post(
        PURCHASES,
        {"store": "app_store", "signed_transaction": pki.sign(transaction), "signed_renewal_info": pki.sign(renewal)},
        format="json",
    )


def test_without_a_subscription_there_is_no_premium(me, partner, django_assert_num_queries):
    with django_assert_num_queries(2):  # session + user with couple and partner, subscriptions
        response = me.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "premium": False,
        "source": None,
        "until": None,
        "will_renew": False,
        "in_grace_period": False,
        "subscription": None,
        "duplicate": None,
    }


def test_an_app_store_purchase_gives_both_partners_premium(apple, me, partner, django_assert_num_queries):
    response = _buy_on_app_store(me, apple, original_id="1000001", purchased=NOW - DAY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["premium"], body["source"], body["will_renew"]) == (True, "own", True)
    assert body["subscription"]["store"] == "app_store"
    assert body["subscription"]["manage_url"] == "https://apps.apple.com/account/subscriptions"
    assert len(body["subscription"]["cancel_steps"]) == 3
    with django_assert_num_queries(2):
        theirs = partner.get(URL).json()
    assert (theirs["premium"], theirs["source"], theirs["until"]) == (True, "partner", body["until"])
    # The partner's phone is told at once, silently; it is not an inbox entry.
    silent = Notification.objects.get(recipient=partner.user, kind=Notification.Kind.ENTITLEMENT_CHANGED)
    assert silent.data == {"screen": "entitlements"}
    assert partner.get("/api/v1/notifications").json()["results"] == []
    assert partner.get("/api/v1/notifications/unread-count").json() == {"unread_count": 0}


def test_a_replayed_purchase_report_changes_nothing_and_pushes_once(apple, me, partner):
    for _ in range(3):
        assert _buy_on_app_store(me, apple, original_id="1000001", purchased=NOW - DAY).status_code == 200
    assert Subscription.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.ENTITLEMENT_CHANGED).count() == 2  # me and partner


def test_a_purchase_bound_to_another_account_is_refused(apple, me, partner):
    transaction = apple_transaction(
        original_id="1000002", expires=NOW + 9 * DAY, signed=NOW, account_token=str(partner.user.pk)
    )
    response = me.post(PURCHASES, {"store": "app_store", "signed_transaction": apple.sign(transaction)}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "purchase_owned_by_another_account"
    assert not Subscription.objects.exists()


def test_a_purchase_claimed_by_one_account_cannot_be_claimed_by_another(apple, me, stranger_user):
    transaction = apple.sign(apple_transaction(original_id="1000003", expires=NOW + 9 * DAY, signed=NOW))
    assert (
        me.post(PURCHASES, {"store": "app_store", "signed_transaction": transaction}, format="json").status_code == 200
    )
    stranger = AppClient().sign_in(stranger_user)
    response = stranger.post(PURCHASES, {"store": "app_store", "signed_transaction": transaction}, format="json")
    assert response.status_code == 409
    assert Subscription.objects.get().user_id == me.user.pk


def test_a_play_purchase_is_read_from_google(google, me, partner):
    google.subscriptions["gp-token"] = play_subscription(
        state="SUBSCRIPTION_STATE_ACTIVE", expires=NOW + 30 * DAY, account_id=str(me.user.pk)
    )
    response = me.post(PURCHASES, {"store": "google_play", "purchase_token": "gp-token"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["premium"], body["source"]) == (True, "own")
    assert body["subscription"]["manage_url"] == (
        "https://play.google.com/store/account/subscriptions?sku=premium_monthly&package=app.couples.android"
    )
    assert partner.get(URL).json()["source"] == "partner"


def test_an_unknown_play_token_is_refused(google, me):
    response = me.post(PURCHASES, {"store": "google_play", "purchase_token": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "purchase_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "store"),
        ({"store": "amazon"}, "store"),
        ({"store": "app_store"}, "signed_transaction"),
        ({"store": "google_play"}, "purchase_token"),
        ({"store": "google_play", "purchase_token": "bad\x00token"}, "purchase_token"),
    ],
)
def test_purchase_validation(body, field, me):
    response = me.post(PURCHASES, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_when_both_partners_pay_the_later_purchaser_is_told_how_to_cancel(apple, google, me, partner):
    assert _buy_on_app_store(me, apple, original_id="1000010", purchased=NOW - 10 * DAY).status_code == 200
    google.subscriptions["later"] = play_subscription(
        state="SUBSCRIPTION_STATE_ACTIVE",
        expires=NOW + 25 * DAY,
        account_id=str(partner.user.pk),
        started=NOW - DAY,
    )
    assert (
        partner.post(PURCHASES, {"store": "google_play", "purchase_token": "later"}, format="json").status_code == 200
    )
    mine, theirs = me.get(URL).json(), partner.get(URL).json()
    assert mine["duplicate"] is None  # the first purchaser is not nagged
    duplicate = theirs["duplicate"]
    assert duplicate["subscription"]["store"] == "google_play"
    assert "Google Play" in " ".join(duplicate["subscription"]["cancel_steps"])
    assert datetime.fromisoformat(duplicate["partner_until"]) == NOW + 20 * DAY
    assert (theirs["premium"], theirs["source"]) == (True, "own")


def test_unpairing_ends_inherited_premium_and_the_purchaser_keeps_theirs(apple, me, partner):
    _buy_on_app_store(me, apple, original_id="1000020", purchased=NOW - DAY)
    Notification.objects.all().delete()
    assert me.post("/api/v1/couple/unpair", {"confirm": True}, format="json").status_code in (200, 204)
    assert me.get(URL).json()["source"] == "own"
    theirs = partner.get(URL).json()
    assert (theirs["premium"], theirs["source"]) == (False, None)
    told = set(
        Notification.objects.filter(kind=Notification.Kind.ENTITLEMENT_CHANGED).values_list("recipient_id", flat=True)
    )
    assert told == {me.user.pk, partner.user.pk}


def test_deleting_the_account_deletes_its_subscriptions_and_the_partner_loses_premium(apple, me, partner):
    _buy_on_app_store(me, apple, original_id="1000030", purchased=NOW - DAY)
    response = me.delete("/api/v1/me", {"password": PASSWORD}, format="json")
    assert response.status_code == 204, response.content
    assert not Subscription.objects.exists()
    assert partner.get(URL).json()["premium"] is False


def test_the_export_holds_the_users_subscriptions(apple, me, partner):
    _buy_on_app_store(me, apple, original_id="1000040", purchased=NOW - DAY)
    exported = me.get("/api/v1/me/export").json()["subscriptions"]
    assert [(s["store"], s["store_id"], s["status"]) for s in exported] == [("app_store", "1000040", "active")]
    assert partner.get("/api/v1/me/export").json()["subscriptions"] == []


# The Premium permission --------------------------------------------------------------------------


class _PremiumOnly(APIView):
    permission_classes = (IsAuthenticated, Premium)

    def get(self, request):
        return Response({"ok": True})


def _call_premium_only(user: User):
    request = APIRequestFactory().get("/premium-only")
    force_authenticate(request, user=user)
    return _PremiumOnly.as_view()(request)


def test_the_premium_permission_follows_the_couples_entitlement(apple, me, partner, db):
    loner = UserFactory.create()
    refused = _call_premium_only(partner.user)
    assert refused.status_code == 403
    assert refused.data["error"]["code"] == "premium_required"
    _buy_on_app_store(me, apple, original_id="1000050", purchased=NOW - DAY)
    assert _call_premium_only(User.objects.get(pk=me.user.pk)).status_code == 200
    assert _call_premium_only(User.objects.get(pk=partner.user.pk)).status_code == 200
    assert _call_premium_only(loner).status_code == 403


def test_premium_ends_when_the_paid_period_ends_even_before_the_store_says_so(apple, me, partner, time_machine):
    _buy_on_app_store(me, apple, original_id="1000060", purchased=NOW - DAY)
    time_machine.move_to(NOW + 21 * DAY)
    body = AppClient().sign_in(partner.user).get(URL).json()  # signed in again: the old access token expired
    assert body["premium"] is False
    assert AppClient().sign_in(me.user).get(URL).json()["subscription"]["status"] == "expired"


def test_a_notification_before_the_apps_report_is_bound_when_the_app_reports(apple, me, partner, anon):
    # Bought without an app account token; Apple's notification arrives first.
    transaction = apple_transaction(original_id="1000070", expires=NOW + 20 * DAY, signed=NOW - DAY)
    body = apple_notification(apple, kind="SUBSCRIBED", signed=NOW - DAY, transaction=transaction)
    assert anon.post("/api/v1/billing/app-store/notifications", body, format="json").json() == {"outcome": "applied"}
    assert Subscription.objects.get().user_id is None
    assert me.get(URL).json()["premium"] is False
    report = {
        "store": "app_store",
        "signed_transaction": apple.sign({**transaction, "signedDate": ms(NOW)}),
    }
    assert me.post(PURCHASES, report, format="json").json()["source"] == "own"
    assert Subscription.objects.get().user_id == me.user.pk
    assert partner.get(URL).json()["source"] == "partner"
