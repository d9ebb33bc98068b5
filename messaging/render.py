"""Rendering messages in a recipient's language: the admin's copy where there is one, else the
code default (gettext) in that language.

`Copy.load(...)` reads the admin's copy of the wanted messages and languages in ONE query; a batch
of pushes or notifications renders all its messages from that one snapshot. `Copy.recent()` is the
whole copy as this process last read it, at most `MESSAGE_COPY_CACHE_SECONDS` ago: what the writes
that notify (notifications.services) render the inbox entry with, without a query each.
"""

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from config.api.sql import CompiledQuery
from config.i18n import language_for
from messaging import registry
from messaging.models import MessageTemplate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


class _Values(dict[str, str]):
    """A placeholder without a value renders empty rather than failing the push."""

    def __missing__(self, key: str) -> str:
        return ""


_COLUMNS = ("key", "locale", "title", "body")
_EDITED = CompiledQuery(
    lambda keys, languages: MessageTemplate.objects.filter(key__in=keys, locale__in=languages).values_list(*_COLUMNS)
)


class Copy:
    """A snapshot of the message copy: {(key, language): (title, body)} edited in the admin."""

    def __init__(self, edited: Mapping[tuple[str, str], tuple[str, str]]) -> None:
        self._edited = dict(edited)
        self._defaults: dict[tuple[str, str], tuple[str, str]] = {}

    @classmethod
    def recent(cls) -> "Copy":
        """The admin's whole copy as this process read it at most `MESSAGE_COPY_CACHE_SECONDS` ago
        (read again after that, or as soon as this process saves or deletes a template).

        For the inbox entry a write records: every nudge, completion or goal would otherwise read the
        copy again. Another process's edit reaches new inbox entries within the delay; the push
        itself reads the copy when it is sent (notifications.delivery), so it is never stale."""
        seconds = settings.MESSAGE_COPY_CACHE_SECONDS
        if seconds <= 0:
            return cls.load()
        with _recent_lock:
            cached = _recent.get("copy")
            if cached is not None and _clock() - cached[0] < seconds:
                return cached[1]
        copy = cls.load()
        with _recent_lock:
            _recent["copy"] = (_clock(), copy)
        return copy

    @classmethod
    def forget_recent(cls) -> None:
        """Drops this process's cached copy (a template was saved or deleted here)."""
        with _recent_lock:
            _recent.clear()

    @classmethod
    def load(cls, *, keys: Iterable[str] | None = None, languages: Iterable[str] | None = None) -> "Copy":
        """One query: the admin's copy of these messages (all when None) in these languages."""
        if keys is not None and languages is not None:
            # Every write that notifies asks this (a message or two, a language or two): compiled once.
            rows = _EDITED.rows(sorted(set(keys)), sorted(set(languages)))
        else:
            queryset = MessageTemplate.objects.all()
            if keys is not None:
                queryset = queryset.filter(key__in=sorted(set(keys)))
            if languages is not None:
                queryset = queryset.filter(locale__in=sorted(set(languages)))
            rows = list(queryset.values_list(*_COLUMNS))
        return cls({(key, locale): (title, body) for key, locale, title, body in rows})

    @classmethod
    def defaults_only(cls) -> "Copy":
        return cls({})

    def _templates(self, message: registry.Message, language: str) -> tuple[str, str]:
        edited = self._edited.get((message.key, language))
        if edited is not None:
            return edited
        cached = self._defaults.get((message.key, language))
        if cached is None:
            with translation.override(language):
                cached = self._defaults[(message.key, language)] = (str(message.title), str(message.body))
        return cached

    def render(self, key: str, *, language: str, params: Mapping[str, Any] | None = None) -> Rendered:
        """The message in `language` (a shipped language code) with `params` filled in."""
        message = registry.get(key)
        values = _Values({name: "" if value is None else str(value) for name, value in (params or {}).items()})
        with translation.override(language):
            if "partner_name" in message.placeholders and not values.get("partner_name"):
                values["partner_name"] = str(_("Your partner"))  # a partner without a display name
            if message.derive is not None:
                values.update(message.derive(dict(values)))
            title, body = self._templates(message, language)
            try:
                return Rendered(title.format_map(values).strip(), body.format_map(values).strip())
            except (ValueError, KeyError, IndexError, AttributeError):
                # Only copy saved around the model's validation could get here: the default stands in.
                logger.warning("message copy %s (%s) does not render; the default is used", key, language)
                title, body = str(message.title), str(message.body)  # still in `language`
                return Rendered(title.format_map(values).strip(), body.format_map(values).strip())

    def render_for(self, key: str, *, locale: str | None, params: Mapping[str, Any] | None = None) -> Rendered:
        """The message for a user whose stored locale is `locale` (e.g. `pt-BR`, falling back)."""
        return self.render(key, language=language_for(locale), params=params)


_clock = time.monotonic
# Copy.recent()'s snapshot: (_clock() when read, the Copy). A Copy renders from its own
# defaults cache too, so sharing one between threads only ever adds the same entries to it.
_recent: dict[str, tuple[float, Copy]] = {}
_recent_lock = threading.Lock()


def _forget(sender: Any, **kwargs: Any) -> None:
    Copy.forget_recent()


def connect() -> None:
    post_save.connect(_forget, sender=MessageTemplate, weak=False, dispatch_uid="messaging.copy_saved")
    post_delete.connect(_forget, sender=MessageTemplate, weak=False, dispatch_uid="messaging.copy_deleted")
