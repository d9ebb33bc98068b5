"""Transactional e-mail: the admin-editable copy of a message (messaging.catalog), in the recipient's
language, laid out as a text and an HTML part, sent through the backend settings choose.

EMAIL_BACKEND picks the transport: the console in development, Django's locmem outbox in tests, a
django-anymail provider backend in production (docs/operations.md, "E-mail"). The words are the
message's (its title is the subject, its body the text); the layout is `messaging/email/message.*`.
"""

from collections.abc import Mapping
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from config.i18n import language_for
from messaging.render import Copy


def send_message_email(*, to: str, key: str, locale: str | None, params: Mapping[str, Any]) -> None:
    """Renders the e-mail message `key` for a recipient whose stored locale is `locale` and sends it."""
    language = language_for(locale)
    text = Copy.load(keys=[key]).render(key, language=language, params=params)
    context = {"body": text.body, "language": language}
    message = EmailMultiAlternatives(
        subject=" ".join(text.title.split()),  # a subject is one line, whatever the copy holds
        body=render_to_string("messaging/email/message.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string("messaging/email/message.html", context), "text/html")
    message.send()
