import pytest

from notifications.models import Notification
from tests.factories import DeviceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


def test_the_outbox_list_filters_by_state_and_kind_without_message_text(staff_client):
    recipient = UserFactory.create()
    Notification.objects.create(
        recipient=recipient, kind="nudge", title="Secret pet name", body="very private words", dedupe_key="a"
    )
    Notification.objects.create(
        recipient=recipient, kind="goal_proposed", title="Goal", dedupe_key="b", push_state="failed"
    )

    page = staff_client.get("/admin/notifications/notification/?push_state__exact=failed&kind__exact=goal_proposed")

    assert page.status_code == 200
    html = page.content.decode()
    assert "goal_proposed" in html or "Goal proposed" in html
    assert "very private words" not in html
    assert "Secret pet name" not in html
    full = staff_client.get("/admin/notifications/notification/").content.decode()
    assert "very private words" not in full
    assert "Secret pet name" not in full


def test_retry_requeues_only_failed_pushes(staff_client, settings):
    recipient = UserFactory.create()
    DeviceFactory.create(user=recipient)
    failed = Notification.objects.create(
        recipient=recipient, kind="nudge", title="t", dedupe_key="f", push_state="failed", push_attempts=6
    )
    sent = Notification.objects.create(recipient=recipient, kind="nudge", title="t", dedupe_key="s", push_state="sent")

    response = staff_client.post(
        "/admin/notifications/notification/",
        {"action": "retry_push", "_selected_action": [str(failed.id), str(sent.id)]},
        follow=True,
    )

    assert response.status_code == 200
    failed.refresh_from_db()
    sent.refresh_from_db()
    # Eager Celery in tests: the console provider "sent" it right away.
    assert failed.push_state == "sent"
    assert failed.push_attempts == 1
    assert sent.push_state == "sent"
    assert "1 push(es) queued again" in response.content.decode()
