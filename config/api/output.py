"""Output serializers that render in a fraction of DRF's generic time, still defined once.

Every response shape is a DRF serializer (its fields are the schema, the docs and the only
definition of the shape). DRF's `Serializer.to_representation` is generic: for every field of every
object it walks `_readable_fields`, calls `field.get_attribute` (a loop over `source_attrs` with a
Mapping check, a callable check and exception translation) and then `field.to_representation`, even
for a `str` going out as the same `str`. On a list of twenty templates that machinery is most of
the request's CPU (docs/performance.md, "Output serializers, compiled once").

`OutputSerializer` (and `OutputModelSerializer`) produce exactly what DRF would, faster:

- a **plan** per serializer instance (fields are cached per instance, and the hot output serializers
  are module-level instances, so the plan is built once per process): for each readable field, its
  name, the one attribute it reads when that is all its `get_attribute` does, and the value type that
  its `to_representation` returns unchanged (`str` for a plain `CharField` or `ChoiceField`, `bool` for a
  `BooleanField`, `int` for an `IntegerField`);
- per object, a field on the fast path costs one `getattr` (or item look-up for a dict row) and a
  type check. Anything else takes DRF's own path, unchanged: a dotted or `*` source, a field that
  overrides `get_attribute` (related fields, method fields), a missing attribute or key (DRF's
  default, null or skip rules apply), a callable attribute (DRF calls simple callables).

An output that reads its context (the requester: a nudge's direction, a goal's allowed actions) can
be rendered from a module-level instance too, with `render(instance, **context)`, rather than from
a new instance per request, whose fields and plan would be built again each time.

The equivalence with DRF's generic rendering is tested over every output serializer of the project
(tests/api/test_output_serializers.py), on model instances and `values()` rows.
"""

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import ISO_8601, fields, serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from config.api.serializers import ModelSerializer, Serializer

# Field classes (exactly these, not subclasses, which may format differently) whose
# `to_representation` returns a value of this type as it is.
_UNCHANGED: dict[type[Field], type] = {
    fields.CharField: str,
    fields.ChoiceField: str,
    fields.BooleanField: bool,
    fields.IntegerField: int,
}
_GENERIC_GET_ATTRIBUTE = Field.get_attribute
_MISSING = object()

# (output name, attribute read directly or None for DRF's path, the field, type returned unchanged,
# the conversion of any other value)
PlanEntry = tuple[str, str | None, Field, type | None, Callable[[Any], Any]]


def _plan(serializer: serializers.Serializer) -> list[PlanEntry]:
    plan: list[PlanEntry] = []
    for field in serializer._readable_fields:
        direct = len(field.source_attrs) == 1 and type(field).get_attribute is _GENERIC_GET_ATTRIBUTE
        attr = field.source_attrs[0] if direct else None
        plan.append((str(field.field_name), attr, field, _UNCHANGED.get(type(field)), _conversion(field)))
    return plan


def _conversion(field: Field) -> Callable[[Any], Any]:
    """`field.to_representation`, or an exact shortcut of it for the commonest case."""
    if (
        type(field) is fields.DateTimeField
        and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601
        and not hasattr(field, "timezone")
        and settings.USE_TZ
    ):
        return _iso_datetime(field)
    return field.to_representation


def _iso_datetime(field: Field) -> Callable[[Any], Any]:
    """DRF's DateTimeField output for an aware datetime: in the current time zone, ISO 8601, UTC as Z."""

    def convert(value: Any) -> Any:
        if type(value) is not datetime or value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(timezone.get_current_timezone()).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _drf_attribute(field: Field, instance: Any) -> Any:
    """DRF's own attribute read (defaults, nulls, skips, related pk-only objects, callables)."""
    attribute = field.get_attribute(instance)
    if isinstance(attribute, PKOnlyObject) and attribute.pk is None:
        return None
    return attribute


class FastRepresentationMixin:
    # `to_representation` through the serializer's plan (see the module docstring). No docstring:
    # the response serializers inherit it and drf-spectacular would publish it as theirs.

    _context: Mapping[str, Any]
    _render_lock = threading.Lock()  # one context at a time on a shared instance (threaded servers)

    def render(self, instance: Any, **context: Any) -> dict[str, Any]:
        """What `type(self)(instance, context=context).data` gives, from this (module-level) instance."""
        with self._render_lock:
            self._context = context
            try:
                return self.to_representation(instance)
            finally:
                self._context = {}

    def to_representation(self, instance: Any) -> dict[str, Any]:
        plan: list[PlanEntry] | None = self.__dict__.get("_output_plan")
        if plan is None:
            plan = self.__dict__["_output_plan"] = _plan(self)  # type: ignore[arg-type]
        ret: dict[str, Any] = {}
        is_mapping = isinstance(instance, Mapping)
        for name, attr, field, unchanged, convert in plan:
            value = _MISSING
            if attr is not None:
                try:
                    value = instance[attr] if is_mapping else getattr(instance, attr)
                except Exception:
                    value = _MISSING
                if callable(value):
                    value = _MISSING
            if value is _MISSING:
                try:
                    value = _drf_attribute(field, instance)
                except SkipField:
                    continue
            if value is None:
                ret[name] = None
            elif type(value) is unchanged:
                ret[name] = value
            else:
                ret[name] = convert(value)
        return ret


# No docstrings on these two: drf-spectacular describes a schema component by its serializer's
# docstring, inherited ones included.
class OutputSerializer(FastRepresentationMixin, Serializer):
    pass


class OutputModelSerializer(FastRepresentationMixin, ModelSerializer):
    pass
