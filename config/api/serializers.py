"""The project's serializer bases: DRF's, with each class's fields built once.

DRF builds a serializer's fields anew for every instance: a deep copy of the declared fields (each
re-instantiated from its arguments) and, for a ModelSerializer, every model field built again from
the model's meta. For the one object a write validates and returns, that was a tenth of the
request's CPU (docs/performance.md). A serializer's fields depend on its class alone (their binding
to an instance, with its context, happens after, in `fields`), so here they are built once per class
and each instance binds its own copies: a plain field is copied as it is (everything an instance
changes on it is set by `bind`, and validation reads the rest), a nested serializer or a field with
a child (`ListField`, `DictField`, a many-related field) is deep-copied, as DRF does.

Every serializer of the project subclasses `Serializer` or `ModelSerializer` from here (the output
ones through `config.api.output`), and one that builds its fields per instance overrides
`get_fields` as in DRF.
"""

import copy

from rest_framework import serializers
from rest_framework.fields import Field


class FieldsOncePerClassMixin:
    # No docstring: drf-spectacular would publish it as the description of every serializer.

    def get_fields(self) -> dict[str, Field]:
        cls = type(self)
        prototypes: dict[str, Field] | None = cls.__dict__.get("_prototype_fields")
        if prototypes is None:
            prototypes = super().get_fields()  # type: ignore[misc]
            cls._prototype_fields = prototypes  # type: ignore[attr-defined]
        return {name: _copy_unbound(field) for name, field in prototypes.items()}


def _copy_unbound(field: Field) -> Field:
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    return copy.copy(field)


class Serializer(FieldsOncePerClassMixin, serializers.Serializer):
    pass


class ModelSerializer(FieldsOncePerClassMixin, serializers.ModelSerializer):
    pass
