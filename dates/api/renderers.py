"""Renderers that let calendar apps and image loaders ask for what they get (`Accept: text/calendar`,
`Accept: image/jpeg`) instead of a 406: the views answer the bytes themselves, and errors are
still the JSON envelope."""

import json
from types import SimpleNamespace
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.renderers import JSONRenderer


class _AcceptOnly(DefaultContentNegotiation):
    """Content negotiation by the Accept header alone (no `?format=`): the URL names the resource."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)  # type: ignore[assignment]


class BytesApi(APIView):
    """A view that answers bytes: the type follows Accept only, and errors are the JSON envelope
    whatever the client accepted."""

    content_negotiation_class = _AcceptOnly

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


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
