"""Serializer fields shared by several apps."""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$", "example": "19:00"})
class WallTimeField(serializers.TimeField):
    """A local wall-clock time (`19:00`, `19:00:00`) whose zone is given elsewhere.

    Only its schema differs from `TimeField`'s: OpenAPI's `format: time` is RFC 3339's full-time,
    which requires an offset (`19:00:00Z`), so a wall time such as `19:00` did not conform to it.
    """


# One instance for every call: building fields is most of what a serializer costs per request.
_DATETIME = serializers.DateTimeField(read_only=True)


def datetime_output() -> Callable[[datetime | None], str | None]:
    """A function rendering datetimes exactly as a `DateTimeField` of an output serializer does (ISO 8601
    in the current time zone, `Z` for UTC), for the few hot read paths that build plain dicts. The
    current zone is read once, here (per call DRF reads it for every value)."""
    zone = timezone.get_current_timezone()
    iso = api_settings.DATETIME_FORMAT.lower() == ISO_8601

    def render(value: datetime | None) -> str | None:
        if value is None:
            return None
        if not iso or value.utcoffset() is None:
            return _DATETIME.to_representation(value)  # naive values, other formats: DRF's own way
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return _DATETIME.to_representation(value)  # its "overflow" validation error
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render
