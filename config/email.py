"""Transactional e-mail rendered from templates, sent through the backend settings choose.

EMAIL_BACKEND picks the transport: the console in development, Django's locmem outbox in tests, a
django-anymail provider backend in production (docs/operations.md, "E-mail"). Each message is three
templates, `<name>_subject.txt`, `<name>.txt` and `<name>.html`, rendered in the recipient's locale.
"""

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(*, to: str, template: str, context: dict[str, Any], locale: str = "en") -> None:
    """Renders `template` (a path prefix such as "identity/email/verification_code") and sends it."""
    with translation.override(locale):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
