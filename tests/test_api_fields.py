"""config.api.fields.datetime_output renders datetimes exactly as DRF's DateTimeField does."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.test import override_settings
from django.utils import timezone as django_timezone
from rest_framework import serializers

from config.api.fields import datetime_output

VALUES = [
    None,
    datetime(2026, 11, 29, 14, 0, tzinfo=UTC),
    datetime(2026, 11, 29, 14, 0, 5, 123456, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=9))),
]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/New_York"])
def test_it_agrees_with_the_serializer_field_in_any_current_zone(zone):
    field = serializers.DateTimeField()
    with django_timezone.override(zone):
        render = datetime_output()
        assert [render(value) for value in VALUES] == [
            None if value is None else field.to_representation(value) for value in VALUES
        ]


def test_utc_ends_in_z():
    assert datetime_output()(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"


@override_settings(USE_TZ=False)
def test_naive_values_go_through_drf():
    value = datetime(2026, 1, 2, 3, 4, 5)  # noqa: DTZ001 (the naive case is the point)
    assert datetime_output()(value) == serializers.DateTimeField().to_representation(value)
