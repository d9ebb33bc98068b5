"""The registry of every message the app sends, with its default copy and its placeholders.

A message is a title (a push's title, an e-mail's subject) and a body, written with named
placeholders (`{partner_name} sent you a hug`). Its default copy is a `gettext_lazy` string
translated in locale/; the content team may replace it per language in the admin
(messaging.models.MessageTemplate), and may use only the message's placeholders there.

Keys: `notification.<kind>[.<variant>]` (the inbox entry and push of one Notification.Kind),
`lock_screen.<name>` (what a locked phone shows at a privacy level), `email.<name>`.
Every message is registered in messaging/catalog.py, the one place a new notification kind adds its
copy; tests/messaging/test_copy_coverage.py fails for a Notification.Kind without one.
"""

import string
from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise


class Group:
    NOTIFICATION = "notification"
    LOCK_SCREEN = "lock_screen"
    EMAIL = "email"


@dataclass(frozen=True)
class Message:
    key: str
    group: str
    title: Text
    body: Text
    # Placeholder name → a sample value for the admin's preview (and the tests).
    placeholders: Mapping[str, str]
    description: str = ""
    # Notifications only: their Notification.Kind, and which lock-screen text stands for them at
    # the "partner" privacy level (a lock_screen.* key).
    kind: str = ""
    lock_screen: str = ""
    # Values computed from the stored parameters in the recipient's language (e.g. "in 2 hours").
    derive: Callable[[dict[str, Any]], dict[str, str]] | None = field(default=None, compare=False)


_MESSAGES: dict[str, Message] = {}


def register(message: Message) -> Message:
    """Adds a message; a key registered twice is a programming error."""
    if message.key in _MESSAGES:
        raise ValueError(f"message {message.key!r} is registered twice")
    for text in (message.title, message.body):
        check_placeholders(str(text), allowed=message.placeholders.keys())
    _MESSAGES[message.key] = message
    return message


def get(key: str) -> Message:
    return _MESSAGES[key]


def known_keys() -> KeysView[str]:
    return _MESSAGES.keys()


def all_messages() -> Iterator[Message]:
    return iter(sorted(_MESSAGES.values(), key=lambda m: m.key))


def messages_of_kind(kind: str) -> list[Message]:
    """The messages (variants) one Notification.Kind is written with."""
    return [m for m in all_messages() if m.kind == kind]


def lock_screen_of_kind(kind: str) -> str:
    """The lock-screen message standing in for a Notification.Kind at the "partner" privacy level."""
    return next((m.lock_screen for m in _MESSAGES.values() if m.kind == kind and m.lock_screen), "")


def key_choices() -> list[tuple[str, str]]:
    return [(m.key, m.key) for m in all_messages()]


def placeholders_in(text: str) -> list[str]:
    """The placeholder names of a text, in order. Raises ValidationError for anything but plain
    `{name}` fields (positional `{}`, attribute or index access, conversions, format specs) or
    unbalanced braces: copy from the admin is formatted, so it may not reach into objects."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(
            _("Unbalanced braces: write {{ and }} for a literal brace (%(error)s)."),
            code="invalid_template",
            params={"error": exc},
        ) from exc
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValidationError(
                _("“{%(field)s}” is not a placeholder: use a plain name such as {partner_name}."),
                code="invalid_placeholder",
                params={"field": name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")},
            )
        names.append(name)
    return names


def check_placeholders(text: str, *, allowed: Iterable[str]) -> None:
    """Raises ValidationError when `text` uses a placeholder outside `allowed`."""
    allowed_set = set(allowed)
    unknown = [name for name in placeholders_in(text) if name not in allowed_set]
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(unknown)s. This message may use: %(allowed)s."),
            code="unknown_placeholder",
            params={
                "unknown": ", ".join("{" + name + "}" for name in dict.fromkeys(unknown)),
                "allowed": ", ".join("{" + name + "}" for name in sorted(allowed_set)) or _("no placeholders"),
            },
        )
