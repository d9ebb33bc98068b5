"""The API's JSON renderer: DRF's output, encoded by orjson.

DRF's `JSONRenderer` encodes with the standard library (and its encoder class for what JSON has no
type for); orjson writes the same bytes several times faster (a pull's or an inbox page's body: 27 ->
4 us). Everything orjson would write differently goes through DRF's own encoder or renderer instead:

- values JSON has no type for (lazy translations, Decimals, sets, querysets...) and, so that their
  text is DRF's, datetimes, dates, times and dataclasses: `encoders.JSONEncoder.default`;
- U+2028 and U+2029 escaped, as DRF does (JSON allows them raw; JavaScript source did not);
- an indented body (`Accept: application/json; indent=4`, the browsable API), integers beyond 64
  bits, what orjson refuses, and any body under settings other than DRF's defaults (`COMPACT_JSON`,
  `UNICODE_JSON`): DRF's renderer, unchanged.

Two differences stay, both about floats (the API's only floats are averages of 1-5 ratings): one
written in exponent form (below 1e-4, from 1e16) reads `1e-7` where Python writes `1e-07`, the same
number; a NaN or an infinity renders as `null`, where DRF's strict mode raises.
"""

from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils import encoders

_DRF_ENCODER = encoders.JSONEncoder()
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_LINE_SEPARATORS = ("\u2028".encode(), "\u2029".encode())


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        if indent is not None or not self.compact or self.ensure_ascii:  # DRF's defaults changed: DRF's bytes
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_DRF_ENCODER.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATORS[0] in body or _LINE_SEPARATORS[1] in body:
            body = body.replace(_LINE_SEPARATORS[0], b"\\u2028").replace(_LINE_SEPARATORS[1], b"\\u2029")
        return body
