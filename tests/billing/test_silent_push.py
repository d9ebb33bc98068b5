"""The partner's phone learns of a change of premium within seconds: a data-only push, sent through
the same outbox and provider as every push, that shows nothing and so ignores quiet hours, push
on/off and muted kinds."""

from datetime import UTC, datetime, time, timedelta

from billing.models import Subscription
from notifications.models import Notification, NotificationPreference
from tests.billing.fakes import apple_transaction
from tests.factories import DeviceFactory


def test_a_purchase_wakes_the_partners_phone_with_a_silent_push(
    fcm,
    apple,
    me,
    partner,
    django_capture_on_commit_callbacks,
):
    DeviceFactory.create(user=partner.user, push_token="partner-phone")
    # Whole-day quiet hours, pushes off, every kind muted: none of it holds a silent push.
    NotificationPreference.objects.create(
        user=partner.user,
        push_enabled=False,
        muted_kinds=[Notification.Kind.ENTITLEMENT_CHANGED],
        quiet_hours_start=time(0),
        quiet_hours_end=time(23, 59),
    )
    now = datetime.now(UTC)
    transaction = apple.sign(apple_transaction(original_id="7000001", expires=now + timedelta(days=30), signed=now))
    with django_capture_on_commit_callbacks(execute=True):
        response = me.post(
            "/api/v1/me/purchases", {"store": "app_store", "signed_transaction": transaction}, format="json"
        )
    assert response.status_code == 200
    sent = [m["message"] for m in fcm.received if m["message"]["token"] == "partner-phone"]
    assert len(sent) == 1
    message = sent[0]
    assert "notification" not in message  # nothing is shown
    assert message["data"]["kind"] == "entitlement_changed"
    assert message["apns"]["headers"]["apns-push-type"] == "background"
    assert message["apns"]["payload"] == {"aps": {"content-available": 1}}
    assert message["android"]["priority"] == "high"
    row = Notification.objects.get(recipient=partner.user)
    assert row.push_state == Notification.PushState.SENT
    assert Subscription.objects.get().user_id == me.user.pk
