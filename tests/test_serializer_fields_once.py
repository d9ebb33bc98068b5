"""`config.api.serializers`: fields built once per class, bound per instance, with nothing shared
that an instance changes (its binding, its context, its validation errors)."""

import pytest
from rest_framework import serializers

from config.api.output import FastRepresentationMixin
from config.api.serializers import ModelSerializer, Serializer
from rituals.api.checkins_serializers import CHECK_IN_OUTPUT, CheckInOutputSerializer
from rituals.api.goals_serializers import GOAL_OUTPUT, GoalOutputSerializer
from rituals.api.nudges_serializers import NUDGE_OUTPUT, NudgeOutputSerializer
from rituals.models import CheckIn, Goal, Nudge
from tests.factories import UserFactory, pair

pytestmark = pytest.mark.django_db


class Child(Serializer):
    name = serializers.CharField(max_length=5)


class Parent(Serializer):
    title = serializers.CharField(max_length=10)
    count = serializers.IntegerField(min_value=0)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    child = Child(required=False)
    method = serializers.SerializerMethodField()

    def get_method(self, obj: object) -> str:
        return str(self.context["who"])


class NudgeRow(ModelSerializer):
    class Meta:
        model = Nudge
        fields = ["id", "kind", "message"]


def test_each_instance_binds_its_own_copies_of_the_class_fields() -> None:
    first, second = Parent(), Parent()

    for name in ("title", "count", "tags", "child", "method"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
    first_tags, second_tags = first.fields["tags"], second.fields["tags"]
    assert isinstance(first_tags, serializers.ListField)
    assert isinstance(second_tags, serializers.ListField)
    assert first_tags.child is not second_tags.child
    nested = first.fields["child"]
    assert isinstance(nested, Child)
    assert nested.fields["name"].root is first
    # The prototypes are never bound: each instance's copies are.
    assert all(field.parent is None for field in Parent._prototype_fields.values())  # type: ignore[attr-defined]


def test_context_and_validation_stay_with_their_instance() -> None:
    assert Parent({"title": "a", "count": 1}, context={"who": "alex"}).data["method"] == "alex"
    assert Parent({"title": "a", "count": 1}, context={"who": "sam"}).data["method"] == "sam"

    bad = Parent(data={"title": "x" * 11, "count": -1, "tags": ["long!"], "child": {"name": "toolong"}})
    good = Parent(data={"title": "ok", "count": 2, "tags": ["a"], "child": {"name": "b"}})

    assert not bad.is_valid()
    assert set(bad.errors) == {"title", "count", "tags", "child"}
    assert good.is_valid(), good.errors
    assert good.validated_data == {"title": "ok", "count": 2, "tags": ["a"], "child": {"name": "b"}}


def test_a_model_serializer_builds_its_model_fields_once() -> None:
    NudgeRow().fields  # noqa: B018 (builds the prototypes)
    prototypes = NudgeRow._prototype_fields  # type: ignore[attr-defined]

    fields = NudgeRow().fields

    assert list(fields) == ["id", "kind", "message"]
    assert NudgeRow._prototype_fields is prototypes  # type: ignore[attr-defined]
    assert all(fields[name] is not prototypes[name] for name in ["id", "kind", "message"])


def test_a_response_that_reads_its_context_renders_for_each_reader() -> None:
    alex, sam = UserFactory.create(), UserFactory.create()
    couple = pair(alex, sam)
    nudge = Nudge.objects.create(couple=couple, sender=alex, recipient=sam, kind=Nudge.Kind.HUG)

    assert NudgeOutputSerializer(nudge, context={"user": alex}).data["direction"] == "sent"
    assert NudgeOutputSerializer(nudge, context={"user": sam}).data["direction"] == "received"


def test_a_shared_instance_renders_for_each_reader_what_a_new_instance_would() -> None:
    alex, sam = UserFactory.create(), UserFactory.create()
    couple = pair(alex, sam)
    nudge = Nudge.objects.create(couple=couple, sender=alex, recipient=sam, kind=Nudge.Kind.HUG)
    goal = Goal.objects.create(couple=couple, title="Walk", proposed_by=alex)
    check_in = CheckIn.objects.create(user=alex, couple=couple, mood=4, connection=3, local_date="2026-12-05")

    cases: list[tuple[FastRepresentationMixin, type[serializers.Serializer], object]] = [
        (NUDGE_OUTPUT, NudgeOutputSerializer, nudge),
        (GOAL_OUTPUT, GoalOutputSerializer, goal),
        (CHECK_IN_OUTPUT, CheckInOutputSerializer, check_in),
    ]
    for shared, new, instance in cases:
        for reader in (alex, sam, alex):
            assert shared.render(instance, user=reader) == new(instance, context={"user": reader}).data
            assert shared._context == {}  # nothing of one reader stays for the next

    assert NUDGE_OUTPUT.render(nudge, user=sam)["direction"] == "received"
    assert (
        GOAL_OUTPUT.render(goal, user=sam)["allowed_actions"] != GOAL_OUTPUT.render(goal, user=alex)["allowed_actions"]
    )
