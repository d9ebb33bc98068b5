"""Every couple-owned table indexes its couple exactly once: by the foreign key's own index, or by an
index or unique constraint of its own that starts with the couple (then the key's would only cost
every insert one more index to write)."""

from collections.abc import Sequence

from django.apps import apps
from django.db import models

from couples.scoping import CoupleOwned


def _leads_with_couple(fields: Sequence[str], condition: object) -> bool:
    return bool(fields) and fields[0].lstrip("-") == "couple" and condition is None


def test_each_couple_owned_model_indexes_its_couple_once():
    owned = [model for model in apps.get_models() if issubclass(model, CoupleOwned)]
    assert len(owned) >= 10
    for model in owned:
        indexes = [index for index in model._meta.indexes if _leads_with_couple(index.fields, index.condition)]
        unique = [
            constraint
            for constraint in model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint)
            and _leads_with_couple(constraint.fields, constraint.condition)
        ]
        covered = bool(indexes or unique)
        couple = model._meta.get_field("couple")
        assert isinstance(couple, models.ForeignKey)
        indexed = couple.deconstruct()[3].get("db_index", True)  # a foreign key is indexed by default
        assert indexed is not covered, model.__name__
