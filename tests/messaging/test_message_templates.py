"""The content team's copy: placeholders checked on save, used in place of the code default, read
once per batch of pushes."""

import pytest
from django.core.exceptions import ValidationError

from messaging import render
from messaging.catalog import notification_key
from messaging.models import MessageTemplate
from notifications import delivery
from notifications.models import Notification
from notifications.services import notify_many
from tests.factories import DeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

HUG = notification_key(Notification.Kind.NUDGE, "hug")


def _template(**fields) -> MessageTemplate:
    return MessageTemplate(**{"key": HUG, "locale": "de", "title": "{partner_name} drückt dich", "body": "", **fields})


def test_copy_with_the_messages_own_placeholders_is_saved():
    _template(body="{message}").save()
    assert MessageTemplate.objects.get(key=HUG, locale="de").title == "{partner_name} drückt dich"


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("{ritual_title} für dich", "unknown_placeholder"),  # not a placeholder of this message
        ("{partner_name.__class__}", "invalid_placeholder"),  # no reaching into objects
        ("{partner_name!r}", "invalid_placeholder"),
        ("{0}", "invalid_placeholder"),
        ("{partner_name", "invalid_template"),
    ],
)
def test_copy_with_a_placeholder_the_message_does_not_have_is_refused(title, code):
    with pytest.raises(ValidationError) as refused:
        _template(title=title).save()
    assert [error.code for error in refused.value.error_dict["title"]] == [code]
    assert not MessageTemplate.objects.exists()


def test_the_unknown_placeholder_error_names_the_allowed_ones():
    with pytest.raises(ValidationError) as refused:
        _template(body="{goal_title}").full_clean()
    assert "{message}, {partner_name}" in refused.value.message_dict["body"][0]


def test_a_message_that_does_not_exist_is_refused():
    with pytest.raises(ValidationError) as refused:
        _template(key="notification.nope").save()
    assert "key" in refused.value.error_dict


def _hugs(count: int, locales: list[str]) -> list[str]:
    sender = UserFactory.create(display_name="Alex")
    recipients = [UserFactory.create(locale=locales[index % len(locales)]) for index in range(count)]
    for recipient in recipients:
        DeviceFactory.create(user=recipient)
    notify_many(
        [
            {
                "recipient": recipient,
                "kind": Notification.Kind.NUDGE,
                "message": HUG,
                "params": {"partner_name": sender.display_name, "message": ""},
                "dedupe_key": f"hug:{recipient.pk}",
            }
            for recipient in recipients
        ]
    )
    return [str(pk) for pk in Notification.objects.values_list("id", flat=True)]


@pytest.mark.parametrize("count", [1, 30])
def test_a_batch_of_pushes_reads_the_copy_once_whatever_its_size(fcm, count, django_assert_num_queries):
    _template().save()
    ids = _hugs(count, ["de", "es-MX", "en-GB"])
    MessageTemplate.objects.filter(key=HUG, locale="de").update(title="{partner_name} umarmt dich")
    # claim: savepoint, lock+select, update, release; preferences; devices with their locale; the
    # copy; one update per outcome.
    with django_assert_num_queries(8):
        assert delivery.deliver(ids) == {"sent": count}
    titles = {push["message"]["notification"]["title"] for push in fcm.received}
    # The admin's German copy as it is at send time; Spanish and English from the code defaults.
    expected = {"Alex umarmt dich", "Alex te ha enviado un abrazo", "Alex sent you a hug"}
    assert titles == (expected if count > 1 else {"Alex umarmt dich"})


def test_the_inbox_entry_uses_the_admins_copy_in_the_recipients_language(db):
    _template(body="{message} ♥").save()
    recipient = UserFactory.create(locale="de-CH")
    notify_many(
        [
            {
                "recipient": recipient,
                "kind": Notification.Kind.NUDGE,
                "message": HUG,
                "params": {"partner_name": "", "message": "Bis später"},
                "dedupe_key": "hug",
            }
        ]
    )
    note = Notification.objects.get()
    assert (note.title, note.body) == ("Dein Schatz drückt dich", "Bis später ♥")


def _nudge_title(recipient, key: str) -> str:
    notify_many(
        [{"recipient": recipient, "kind": Notification.Kind.NUDGE, "message": HUG, "params": {}, "dedupe_key": key}]
    )
    return Notification.objects.get(dedupe_key=key).title


def test_writes_render_the_inbox_entry_from_the_recent_copy_without_reading_it_again(
    settings, monkeypatch, django_assert_num_queries
):
    settings.MESSAGE_COPY_CACHE_SECONDS = 30
    now = [1000.0]
    monkeypatch.setattr(render, "_clock", lambda: now[0])
    render.Copy.forget_recent()
    recipient = UserFactory.create(locale="de")
    _template(title="Erste Fassung").save()
    assert _nudge_title(recipient, "first") == "Erste Fassung"
    with django_assert_num_queries(3):  # the insert, its sync stamp (one statement), the read back: no copy
        assert _nudge_title(recipient, "second") == "Erste Fassung"

    # Saved in this process: the next write reads the copy again.
    template = MessageTemplate.objects.get(key=HUG, locale="de")
    template.title = "Zweite Fassung"
    template.save()
    assert _nudge_title(recipient, "third") == "Zweite Fassung"

    # Edited by another process (no signal here): seen once the snapshot is older than the setting.
    MessageTemplate.objects.filter(pk=template.pk).update(title="Dritte Fassung")
    now[0] += 29
    assert _nudge_title(recipient, "fourth") == "Zweite Fassung"
    now[0] += 2
    assert _nudge_title(recipient, "fifth") == "Dritte Fassung"

    template.delete()  # deleted here: the code default again, at once
    default = render.Copy.defaults_only().render(HUG, language="de", params={}).title
    assert default != "Dritte Fassung"
    assert _nudge_title(recipient, "sixth") == default
    render.Copy.forget_recent()
