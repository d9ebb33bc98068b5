"""Meta-test: no model that references the user escapes the export or the account deletion.

DESIGN §3: "A test fails if any model referencing the user is missed by export or deletion." These
tests walk every installed model, auto-created many-to-many tables included, and every foreign key
or one-to-one field that points at the user model. Each such model must be

- an export section (`accounts.export.register_section`) or deliberately not exported
  (`accounts.export.register_not_exported`, with the reason), and
- gone with the account: `on_delete=CASCADE`, or deleted explicitly by
  `accounts.services.account.account_erase` (which `account_delete` calls; listed in
  `DELETED_BY_ACCOUNT_DELETE` below), or, for
  a record the couple owns rather than the user (docs/privacy.md), `on_delete=SET_NULL` and
  registered with `accounts.export.register_detached_on_deletion` and the reason. The functional
  test at the end deletes an account that has a row in every model with a factory and checks that
  no row still points at it, and that only registered detached rows survive.

Adding a model with a foreign key to the user and registering it nowhere makes these tests fail.
"""

import inspect
from collections.abc import Callable, Iterable
from typing import Any

import factory
import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.test.utils import isolate_apps

from accounts import export
from accounts.models import User
from accounts.services.account import account_delete, account_erase
from accounts.services.sessions import session_start
from tests import factories
from tests.factories import PASSWORD, UserFactory

# Models whose foreign key to the user does not cascade, and that account_delete deletes itself.
DELETED_BY_ACCOUNT_DELETE = {
    # simplejwt declares OutstandingToken.user with on_delete=SET_NULL: a cascade would leave the
    # refresh token texts behind, detached from any account.
    "token_blacklist.outstandingtoken",
}


# Django's `_meta` API is dynamic; fields are typed loosely here.
Relation = Any


def user_relations(candidates: Iterable[type[models.Model]]) -> list[Relation]:
    """Every foreign key and one-to-one field of `candidates` that points at the user model."""
    user_model = get_user_model()
    found = []
    for model in candidates:
        if model._meta.proxy:
            continue  # a proxy has no table of its own; its concrete model is walked
        field: Relation
        for field in model._meta.local_fields:
            if not (field.is_relation and (field.many_to_one or field.one_to_one)):
                continue
            target = field.remote_field.model
            if (
                isinstance(target, type)
                and issubclass(target, models.Model)
                and target._meta.concrete_model is user_model
            ):
                found.append(field)
    return found


def installed_user_relations() -> list[Relation]:
    return user_relations(apps.get_models(include_auto_created=True))


def _describe(field: Relation) -> str:
    return f"{field.model._meta.label_lower}.{field.name}"


def missing_from_export(relations: Iterable[Relation]) -> list[str]:
    registered = export.exported_model_labels() | set(export.not_exported_model_labels())
    return sorted(_describe(f) for f in relations if f.model._meta.label_lower not in registered)


def _is_detached(field: Relation) -> bool:
    return field.remote_field.on_delete is models.SET_NULL and _describe(field) in export.detached_on_deletion_fields()


def outliving_the_user(relations: Iterable[Relation]) -> list[str]:
    return sorted(
        f"{_describe(f)} (on_delete={f.remote_field.on_delete.__name__})"
        for f in relations
        if f.remote_field.on_delete is not models.CASCADE
        and f.model._meta.label_lower not in DELETED_BY_ACCOUNT_DELETE
        and not _is_detached(f)
    )


# The walk itself ---------------------------------------------------------------------------------


def test_the_walk_finds_every_relation_django_knows_of():
    walked = {(f.model._meta.label_lower, f.name) for f in installed_user_relations()}
    fields: list[Relation] = list(User._meta.get_fields(include_hidden=True))
    reverse = {
        (rel.related_model._meta.label_lower, rel.field.name)
        for rel in fields
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)
    }
    # Many-to-many fields to or from the user are rows of a through table with a key to the user.
    m2m_fields: list[Relation] = [
        *User._meta.many_to_many,
        *(r.field for r in fields if r.many_to_many and not r.concrete),
    ]
    through = {
        (m2m.remote_field.through._meta.label_lower, name)
        for m2m in m2m_fields
        for name in [
            f.name
            for f in m2m.remote_field.through._meta.local_fields
            if f.is_relation and f.remote_field.model is User
        ]
    }

    assert reverse | through <= walked
    # The ones this app and its dependencies are known to have, so a broken walk cannot pass empty.
    assert {
        ("accounts.authsession", "user"),
        ("accounts.device", "user"),
        ("accounts.user_groups", "user"),
        ("accounts.user_user_permissions", "user"),
        ("admin.logentry", "user"),
        ("token_blacklist.outstandingtoken", "user"),
    } <= walked


# Export ------------------------------------------------------------------------------------------


def test_every_model_referencing_the_user_is_exported_or_deliberately_not():
    assert missing_from_export(installed_user_relations()) == [], (
        "Register these models in the export (accounts.export.register_section) or say why they are "
        "not exported (accounts.export.register_not_exported)."
    )


def test_no_model_is_both_exported_and_not_exported():
    assert export.exported_model_labels() & set(export.not_exported_model_labels()) == set()


def test_every_reason_for_not_exporting_is_given():
    for label, reason in export.not_exported_model_labels().items():
        assert isinstance(reason, str), label
        assert len(reason.strip()) >= 10, label


def test_the_registries_name_installed_models_that_hold_user_data():
    related = {f.model._meta.label_lower for f in installed_user_relations()}
    user_label = User._meta.label_lower
    for label in export.exported_model_labels() | set(export.not_exported_model_labels()):
        assert apps.get_model(label) is not None
        assert label in related or label == user_label, f"{label} does not reference the user: stale entry?"


# Deletion ----------------------------------------------------------------------------------------


def test_every_model_referencing_the_user_goes_with_the_account():
    assert outliving_the_user(installed_user_relations()) == [], (
        "These rows would outlive a deleted account: use on_delete=CASCADE, or delete them in "
        "accounts.services.account.account_delete and list them in DELETED_BY_ACCOUNT_DELETE, or (a "
        "record of the couple, docs/privacy.md) keep SET_NULL and register the field with "
        "accounts.export.register_detached_on_deletion and the reason."
    )


def test_every_detached_field_is_a_set_null_key_to_the_user_with_a_reason():
    relations = {_describe(f): f for f in installed_user_relations()}
    for label, reason in export.detached_on_deletion_fields().items():
        assert label in relations, f"{label} is not a key to the user: stale entry?"
        assert relations[label].remote_field.on_delete is models.SET_NULL, label
        assert len(reason.strip()) >= 10, label


def test_models_deleted_explicitly_are_deleted_by_account_delete():
    source = inspect.getsource(account_erase)
    for label in DELETED_BY_ACCOUNT_DELETE:
        assert apps.get_model(label).__name__ in source, label


# The checks catch what they must -----------------------------------------------------------------


@isolate_apps("accounts")
def test_a_new_unregistered_model_referencing_the_user_is_reported():
    class Diary(models.Model):
        author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True)
        reader = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
        title = models.CharField(max_length=10)

        class Meta:
            app_label = "accounts"

        def __str__(self) -> str:
            return self.title

    relations = user_relations([Diary])

    assert [f.name for f in relations] == ["author", "reader"]
    assert missing_from_export(relations) == ["accounts.diary.author", "accounts.diary.reader"]
    assert outliving_the_user(relations) == ["accounts.diary.author (on_delete=SET_NULL)"]


@isolate_apps("accounts")
def test_a_registered_detached_field_is_accepted(monkeypatch):
    class Memory(models.Model):
        written_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True)
        kept_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "accounts"

        def __str__(self) -> str:
            return str(self.pk)

    detached = {"accounts.memory.written_by": "a shared memory of the couple", "accounts.memory.kept_by": "x" * 20}
    monkeypatch.setattr(export, "detached_on_deletion_fields", lambda: detached)

    # Only SET_NULL can detach: a PROTECT key would make the deletion fail.
    assert outliving_the_user(user_relations([Memory])) == ["accounts.memory.kept_by (on_delete=PROTECT)"]


# Functional companion: delete an account that has a row in every related model -------------------


def _factories_by_model() -> dict[str, type[factory.django.DjangoModelFactory]]:
    found: dict[str, type[factory.django.DjangoModelFactory]] = {}
    for _, candidate in inspect.getmembers(factories, inspect.isclass):
        if issubclass(candidate, factory.django.DjangoModelFactory) and candidate._meta.model is not None:
            model = candidate._meta.get_model_class()
            found.setdefault(model._meta.label_lower, candidate)
    return found


def _log_entry(user: User) -> None:
    LogEntry.objects.create(user=user, action_flag=ADDITION, object_repr="something", change_message="[]")


def _group(user: User) -> None:
    user.groups.add(Group.objects.create(name=f"group of {user.pk}"))


def _permission(user: User) -> None:
    user.user_permissions.add(Permission.objects.earliest("pk"))


# Models of Django and simplejwt have no factory in tests/factories.py.
EXPLICIT_CREATORS: dict[str, Callable[[User], object]] = {
    "admin.logentry": _log_entry,
    "accounts.user_groups": _group,
    "accounts.user_user_permissions": _permission,
    "accounts.authsession": lambda user: session_start(user=user, user_agent="coverage"),
    "token_blacklist.outstandingtoken": lambda user: session_start(user=user, user_agent="coverage"),
}


def _give_every_related_model_a_row(user: User) -> set[str]:
    """Creates rows pointing at `user`, one per relation that has a factory or a creator."""
    by_model = _factories_by_model()
    covered = set()
    for field in installed_user_relations():
        label = field.model._meta.label_lower
        if label in EXPLICIT_CREATORS:
            EXPLICIT_CREATORS[label](user)
        elif label in by_model:
            by_model[label](**{field.name: user})
        else:
            continue
        covered.add(label)
    return covered


def _rows_pointing_at(user_id: object) -> dict[str, set[object]]:
    """{"app.model.field": primary keys of the rows whose `field` is `user_id`}."""
    rows: dict[str, set[object]] = {}
    for field in installed_user_relations():
        pks = set(field.model._base_manager.filter(**{field.attname: user_id}).values_list("pk", flat=True))
        if pks:
            rows[_describe(field)] = pks
    return rows


@pytest.mark.django_db
def test_deleting_an_account_leaves_no_row_that_pointed_at_it():
    user = UserFactory.create()
    other = UserFactory.create()
    covered = _give_every_related_model_a_row(user)
    _give_every_related_model_a_row(other)
    before = _rows_pointing_at(user.pk)
    others_before = _rows_pointing_at(other.pk)
    assert set(EXPLICIT_CREATORS) | {"accounts.device"} <= covered
    assert {label.rsplit(".", 1)[0] for label in before} == covered

    account_delete(user=user, password=PASSWORD)

    assert not User.objects.filter(pk=user.pk).exists()
    assert _rows_pointing_at(user.pk) == {}
    # Not merely detached by a SET_NULL: the rows themselves are gone, unless registered as detached.
    relations = {_describe(f): f for f in installed_user_relations()}
    survivors = {
        label: pks
        for label, pks in before.items()
        if not _is_detached(relations[label]) and relations[label].model._base_manager.filter(pk__in=pks).exists()
    }
    assert survivors == {}
    # And nobody else's rows went with them.
    assert _rows_pointing_at(other.pk) == others_before
