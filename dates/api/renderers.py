"""Renderers that let calendar apps and image loaders ask for what they get (`Accept: text/calendar`,
`Accept: image/jpeg`) instead of a 406: the views answer the bytes themselves, and errors are
still the JSON envelope."""

import json
from typing import Any

from rest_framework.renderers import BaseRenderer


class _PassthroughRenderer(BaseRenderer):
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()  # an error envelope


class ICalendarRenderer(_PassthroughRenderer):
    media_type = "text/calendar"
    format = "ics"


class JpegRenderer(_PassthroughRenderer):
    media_type = "image/jpeg"
    format = "jpg"
