"""Serializer fields shared by several apps."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$", "example": "19:00"})
class WallTimeField(serializers.TimeField):
    """A local wall-clock time (`19:00`, `19:00:00`) whose zone is given elsewhere.

    Only its schema differs from `TimeField`'s: OpenAPI's `format: time` is RFC 3339's full-time,
    which requires an offset (`19:00:00Z`), so a wall time such as `19:00` did not conform to it.
    """
