"""Every message the app sends exists for every notification kind, at every lock-screen level and
for every e-mail, and is really written in every shipped language (no English fallback)."""

import re

import pytest
from django.conf import settings
from django.utils import translation

from messaging import catalog, registry
from messaging.render import Copy
from notifications import delivery
from notifications.models import Notification, NotificationPreference

LANGUAGES = [code for code, _ in settings.LANGUAGES]
FOREIGN = [code for code in LANGUAGES if code != settings.LANGUAGE_CODE]
LEVELS = list(NotificationPreference.LockScreen.values)
EMAILS = [m.key for m in registry.all_messages() if m.group == registry.Group.EMAIL]


def _has_words(template: str) -> bool:
    """Whether a template has text of its own besides its placeholders (`{message}` has none)."""
    return bool(re.search(r"[^\W\d_]", re.sub(r"\{[a-z_]+\}", "", template)))


def _pushes(kind: str, level: str, language: str) -> list[tuple[str, str]]:
    """The push text of each message (variant) of `kind` at `level`, rendered as delivery does."""
    texts = []
    for message in registry.messages_of_kind(kind):
        row = Notification(kind=kind, message_key=message.key, message_params=dict(message.placeholders))
        texts.append(delivery.push_text(row, level=level, language=language, copy=Copy.defaults_only()))
    return texts


@pytest.mark.parametrize("kind", Notification.Kind.values)
def test_every_notification_kind_has_its_copy_registered(kind):
    messages = registry.messages_of_kind(kind)
    assert messages, f"register the copy of {kind!r} in messaging/catalog.py"
    assert all(message.lock_screen in catalog.LOCK_SCREENS for message in messages)


@pytest.mark.parametrize("language", FOREIGN)
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("kind", Notification.Kind.values)
def test_every_push_is_written_in_the_recipients_language(kind, level, language):
    english = _pushes(kind, level, settings.LANGUAGE_CODE)
    localized = _pushes(kind, level, language)
    for (title, body), (en_title, en_body) in zip(localized, english, strict=True):
        assert title, "a push always has a title"
        assert (title, body) != (en_title, en_body), f"{kind} at {level} falls back to English in {language}"


@pytest.mark.parametrize("language", FOREIGN)
@pytest.mark.parametrize("key", EMAILS)
def test_every_email_is_written_in_the_recipients_language(key, language):
    sample = dict(registry.get(key).placeholders)
    english = Copy.defaults_only().render(key, language=settings.LANGUAGE_CODE, params=sample)
    localized = Copy.defaults_only().render(key, language=language, params=sample)
    assert localized.title != english.title
    assert localized.body != english.body
    assert all(value in localized.body for value in sample.values())  # the link survives translation


@pytest.mark.parametrize("language", FOREIGN)
def test_no_default_text_of_any_message_is_left_in_english(language):
    """Stricter than the rendered comparison: each title and body with words of its own has a
    translation, and keeps exactly the placeholders of the English."""
    for message in registry.all_messages():
        for template in (message.title, message.body):
            english = str(template)
            with translation.override(language):
                localized = str(template)
            if _has_words(english):
                assert localized != english, f"{message.key}: {english!r} is not translated to {language}"
            assert sorted(registry.placeholders_in(localized)) == sorted(registry.placeholders_in(english))


def test_a_reminder_says_when_in_the_recipients_language():
    render = Copy.defaults_only().render
    key = catalog.notification_key(Notification.Kind.RITUAL_REMINDER)
    assert render(key, language="en", params={"ritual_title": "Walk", "minutes": "0"}).body == "Your ritual starts now."
    assert render(key, language="de", params={"ritual_title": "Walk", "minutes": "1"}).body == (
        "Dein Ritual beginnt in 1 Minute."
    )
    assert render(key, language="es", params={"ritual_title": "Walk", "minutes": "180"}).body == (
        "Tu ritual empieza en 3 horas."
    )


def test_a_partner_without_a_name_is_called_your_partner_in_the_recipients_language():
    key = catalog.notification_key(Notification.Kind.NUDGE, "hug")
    text = Copy.defaults_only().render(key, language="es", params={"partner_name": "", "message": ""})
    assert text.title == "Tu pareja te ha enviado un abrazo"
