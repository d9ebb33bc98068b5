"""`config.api.output`: the response serializers render exactly what DRF's generic path renders.

The fast path is an optimisation of DRF's `Serializer.to_representation`, not a second definition of
any shape, so it is checked against DRF itself: field by field on a serializer that has every kind of
field and source the project uses, and response by response on the demo couple's app screens.
"""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone as django_timezone
from rest_framework import serializers

from accounts.models import User
from config.api.output import FastRepresentationMixin, OutputSerializer
from config.api.shared_responses import CONTENT
from couples.models import Membership
from tests.conftest import AppClient


def generic(serializer: serializers.Serializer, instance: Any) -> Any:
    """DRF's own rendering of `instance` by `serializer` (and by its nested serializers)."""
    return serializers.Serializer.to_representation(serializer, instance)


class Inner(OutputSerializer):
    name = serializers.CharField()


class Everything(OutputSerializer):
    text = serializers.CharField()
    number = serializers.IntegerField()
    flag = serializers.BooleanField()
    truthy = serializers.BooleanField()  # a non-bool value goes through BooleanField's own mapping
    choice = serializers.ChoiceField(choices=["a", "b"])
    uid = serializers.UUIDField()
    at_utc = serializers.DateTimeField()
    at_offset = serializers.DateTimeField()
    at_naive = serializers.DateTimeField()
    at_formatted = serializers.DateTimeField(format="%Y")
    as_string = serializers.CharField(source="number")  # an int rendered by a CharField: str()
    dotted = serializers.CharField(source="inner.name")
    whole = serializers.CharField(source="*")
    computed = serializers.SerializerMethodField()
    nested = Inner(source="inner")
    numbers = serializers.ListField(child=serializers.IntegerField())
    callable_attribute = serializers.CharField(source="shout")
    missing_with_default = serializers.CharField(default="fallback")
    missing_nullable = serializers.CharField(allow_null=True)
    missing_optional = serializers.CharField(required=False)
    nothing = serializers.CharField(allow_null=True)

    def get_computed(self, instance: Any) -> str:
        return f"computed:{instance.text if not isinstance(instance, dict) else instance['text']}"


class Row(SimpleNamespace):
    def shout(self) -> str:
        return "LOUD"

    def __str__(self) -> str:
        return "row"


def _values() -> dict[str, Any]:
    return {
        "text": "hello",
        "number": 7,
        "flag": False,
        "truthy": "yes",
        "choice": "b",
        "uid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "at_utc": datetime(2026, 12, 4, 8, 30, 0, 123456, tzinfo=UTC),
        "at_offset": datetime(2026, 12, 4, 9, 30, tzinfo=timezone(timedelta(hours=1))),
        "at_naive": datetime(2026, 12, 4, 8, 30),  # noqa: DTZ001 (a naive value takes DRF's own path)
        "at_formatted": datetime(2026, 12, 4, 8, 30, tzinfo=UTC),
        "inner": SimpleNamespace(name="inner name"),
        "numbers": [1, 2, 3],
        "nothing": None,
    }


def test_every_kind_of_field_renders_as_drf_renders_it_from_an_object() -> None:
    serializer = Everything()
    row = Row(**_values())
    rendered = serializer.to_representation(row)
    assert rendered == generic(serializer, row)
    assert rendered["at_utc"] == "2026-12-04T08:30:00.123456Z"
    assert rendered["at_offset"] == "2026-12-04T08:30:00Z"  # in the current zone (UTC), as DRF does
    assert rendered["callable_attribute"] == "LOUD"
    assert rendered["missing_with_default"] == "fallback"
    assert rendered["missing_nullable"] is None
    assert "missing_optional" not in rendered
    assert rendered["as_string"] == "7"
    assert rendered["truthy"] is True


def test_a_values_row_renders_as_drf_renders_it() -> None:
    serializer = Everything()
    row = {**_values(), "inner": {"name": "inner name"}, "shout": "LOUD"}
    assert serializer.to_representation(row) == generic(serializer, row)


def test_a_plan_is_built_once_per_serializer_instance() -> None:
    serializer = Everything()
    serializer.to_representation(Row(**_values()))
    plan = serializer.__dict__["_output_plan"]
    serializer.to_representation(Row(**_values()))
    assert serializer.__dict__["_output_plan"] is plan


def _render_generically(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FastRepresentationMixin, "to_representation", serializers.Serializer.to_representation)


SCREENS = [
    "/api/v1/me",
    "/api/v1/couple",
    "/api/v1/rituals",
    "/api/v1/rituals/today",
    "/api/v1/notifications",
    "/api/v1/widget",
    "/api/v1/goals",
    "/api/v1/check-ins",
    "/api/v1/nudges",
    "/api/v1/ritual-templates",
    "/api/v1/prompt-decks",
    "/api/v1/prompts/today",
    "/api/v1/date-ideas",
    "/api/v1/dates",
    "/api/v1/couple/milestones",
    "/api/v1/reports/current",
    "/api/v1/me/entitlements",
    "/api/v1/quizzes",
    "/api/v1/sync/pull",
]


@pytest.mark.django_db
def test_the_demo_couples_screens_are_the_same_through_drfs_generic_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    call_command("load_demo_content", verbosity=0)
    call_command("load_demo_data", verbosity=0)
    user = User.objects.get(email="alex@example.com")
    assert Membership.objects.filter(user=user, is_active=True).exists()
    with time_machine.travel(django_timezone.now(), tick=False):  # the partner's local time is in `couple`
        client = AppClient().sign_in(user)
        fast = {path: client.get(path) for path in SCREENS}
        _render_generically(monkeypatch)
        CONTENT.clear()  # the content lists are rendered again, not reused
        for path, response in fast.items():
            assert response.status_code == 200, (path, response.content[:300])
            again = client.get(path)
            assert again.status_code == 200, path
            assert again.json() == response.json(), path
