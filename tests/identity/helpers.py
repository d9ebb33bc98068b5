import re

from django.core import mail


def last_code(to: str) -> str:
    """The 6-digit code of the last e-mail sent to `to` (checked in both the text and the HTML part)."""
    message = next(m for m in reversed(mail.outbox) if m.to == [to])
    match = re.search(r"\b(\d{6})\b", str(message.body))
    assert match, message.body
    assert isinstance(message, mail.EmailMultiAlternatives)
    html = message.alternatives[0][0]
    assert isinstance(html, str)
    assert match.group(1) in html
    return match.group(1)
