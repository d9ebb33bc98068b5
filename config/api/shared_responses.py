"""Responses that are the same for every reader, kept for a few seconds in each process.

The curated catalogue (ritual templates, prompt decks, date ideas) is global: every signed-in user
in one language, asking for the same page, gets the same bytes, and the app asks on every start.
Each list's one path (selector, paginator, output serializer) runs once per process, page and
language, and its body is then reused for `CONTENT_CACHE_SECONDS` (default 30):

- an edit saved through the models (the admin, a command) clears the process's entries at once
  (`clear_on_change`); the other processes see it within the lifetime, and so does a scheduled
  `publish_at`/`unpublish_at` passing: "within a minute, without a deploy" (docs/content.md);
- an entry is only reused between the moment it was built and its lifetime's end, by the clock
  `timezone.now()` reads, so a clock moved back (time-machine in the tests) never reuses it;
- a response that depends on the reader (`?for=partner`, the reader's own votes) is not shared, or
  is merged with the reader's part after (`dates.api.views.DateIdeaListApi`).

`CONTENT_CACHE_SECONDS = 0` turns it off.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework.request import Request

MAX_ENTRIES = 512  # pages x languages x filters; the oldest goes first


class SharedResponses:
    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, tuple[datetime, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, request: Request, build: Callable[[], Any]) -> Any:
        """The body `build()` returns for this URL (host, path, query) in the request's language."""
        lifetime = timedelta(seconds=settings.CONTENT_CACHE_SECONDS)
        if not lifetime:
            return build()
        key = (request.build_absolute_uri(), get_language())
        now = timezone.now()
        entry = self._entries.get(key)
        if entry is not None and entry[0] <= now < entry[0] + lifetime:
            return entry[1]
        body = build()
        with self._lock:
            self._entries[key] = (now, body)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return body

    def clear(self, **kwargs: Any) -> None:
        with self._lock:
            self._entries.clear()

    def clear_on_change(self, *models: type[Model]) -> None:
        for model in models:
            uid = f"shared_responses:{model._meta.label}"
            post_save.connect(self.clear, sender=model, weak=False, dispatch_uid=f"{uid}:save")
            post_delete.connect(self.clear, sender=model, weak=False, dispatch_uid=f"{uid}:delete")


# The curated content's lists: cleared by the content apps (rituals, dates) when their models change.
CONTENT = SharedResponses()
