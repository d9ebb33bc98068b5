"""The response language (Accept-Language, then me.locale, then English, each along its fallback
chain), and pushes and e-mails in the RECIPIENT's language, never the sender's."""

import pytest
from django.core import mail

from accounts.tasks import _send_password_reset_email
from config.i18n import fallback_chain, resolve
from notifications import delivery
from notifications.models import Notification
from tests.factories import DeviceFactory, UserFactory


def test_a_tag_falls_back_to_ever_more_general_forms_then_english(settings):
    assert fallback_chain("pt-BR") == ["pt-br", "pt"]
    assert resolve(["pt-BR"]) == "en"  # Portuguese is not shipped
    settings.LANGUAGES = [*settings.LANGUAGES, ("pt", "Português")]
    assert resolve(["pt-BR"]) == "pt"
    assert resolve(["xx", "de-AT"]) == "de"
    assert resolve([None, ""]) == "en"


@pytest.mark.parametrize(
    ("header", "locale", "expected"),
    [
        ("de-DE,de;q=0.9", "es", "de"),  # the header wins over the stored locale
        ("", "es", "es"),  # no header: the user's locale
        ("pt-BR,pt;q=0.9", "es-MX", "es"),  # a header with no shipped language: the user's locale
        ("pt-BR", "pt-BR", "en"),  # neither: English
        ("fr;q=0.5,es;q=0.8", "de", "es"),  # the header's preference order counts
    ],
)
def test_the_response_language_comes_from_the_header_then_the_users_locale(me, me_user, header, locale, expected):
    me_user.locale = locale
    me_user.save(update_fields=["locale"])
    response = me.post("/api/v1/nudges", {}, format="json", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 400 or response.status_code == 404
    assert response["Content-Language"] == expected
    assert "Accept-Language" in response["Vary"]


def test_error_messages_are_translated_and_their_codes_never(me):
    english = me.post("/api/v1/nudges", {}, format="json").json()["error"]
    german = me.post("/api/v1/nudges", {}, format="json", HTTP_ACCEPT_LANGUAGE="de").json()["error"]
    assert german["code"] == english["code"]
    assert german["message"] != english["message"]


def _sent_push(fcm) -> dict:
    return fcm.received[-1]["message"]["notification"]


def test_a_nudge_reaches_the_partner_in_the_partners_language_not_the_senders(
    fcm, me, me_user, partner_user, django_capture_on_commit_callbacks
):
    me_user.locale = "de-DE"
    me_user.save(update_fields=["locale"])
    partner_user.locale = "es-ES"
    partner_user.save(update_fields=["locale"])
    DeviceFactory.create(user=partner_user)

    with django_capture_on_commit_callbacks(execute=True):  # the push is queued after commit
        response = me.post("/api/v1/nudges", {"kind": "hug", "message": "💞"}, format="json", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 201, response.content
    note = Notification.objects.get(recipient=partner_user)
    assert note.title == "Me te ha enviado un abrazo"  # the inbox entry
    assert _sent_push(fcm) == {"title": "Me te ha enviado un abrazo", "body": "💞"}


def test_the_push_is_rendered_at_send_time_in_the_recipients_current_language(fcm, me, me_user, partner_user):
    """A push held (quiet hours) or retried goes out in the language the recipient has by then."""
    DeviceFactory.create(user=partner_user)
    from rituals.services.nudges import nudge_send

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("notifications.services._queue_pushes", lambda keys: None)  # not sent yet
        nudge_send(sender=me_user, kind="kiss", message="")
    note = Notification.objects.get(recipient=partner_user)
    assert note.title == "Me sent you a kiss"
    partner_user.locale = "de"
    partner_user.save(update_fields=["locale"])

    delivery.deliver([str(note.id)])

    assert _sent_push(fcm)["title"] == "Me schickt dir einen Kuss"


def test_the_password_reset_email_is_in_the_users_language(db):
    user = UserFactory.create(locale="es-AR")
    _send_password_reset_email(str(user.id))
    assert mail.outbox[-1].subject == "Restablece tu contraseña"
    assert "reset-password?uid=" in mail.outbox[-1].body
    assert "Alguien ha pedido" in mail.outbox[-1].body
