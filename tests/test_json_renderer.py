"""config.api.renderers.JSONRenderer writes DRF's JSONRenderer's bytes, through orjson."""

import dataclasses
import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils.serializer_helpers import ReturnDict

from config.api.renderers import JSONRenderer
from notifications.api.serializers import NotificationOutputSerializer
from notifications.models import Notification
from rituals.models import CheckIn

DRF = renderers.JSONRenderer()
OURS = JSONRenderer()

SAME_AS_DRF = [
    pytest.param({"a": 1, "b": [1, 2.5, None, True, False], "c": "héllo 💞", "d": {"e": {}}}, id="plain"),
    pytest.param({"line": "a\u2028b\u2029c", "ctrl": '\x00\x1f"\\/'}, id="escapes"),
    pytest.param(
        {0: [ErrorDetail("bad", code="x")], "k": ReturnDict({"x": 1}, serializer=NotificationOutputSerializer())},
        id="errors",
    ),
    pytest.param(
        {
            "utc": datetime.datetime(2026, 1, 1, 1, 2, 3, 456789, tzinfo=datetime.UTC),
            "offset": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
            "naive": datetime.datetime(2026, 1, 1, 1, 2),  # noqa: DTZ001 (what DRF writes for one)
            "date": datetime.date(2026, 1, 1),
            "time": datetime.time(1, 2, 3, 4000),
        },
        id="dates-as-drf-writes-them",
    ),
    pytest.param(
        {
            "uuid": uuid.UUID("0192e6b2-39f1-7c3e-8a5b-1a2b3c4d5e6f"),
            "lazy": gettext_lazy("Your partner"),
            "decimal": decimal.Decimal("1.10"),
            "set": {3},
            "tuple": (1, 2),
        },
        id="drf-encoder-types",
    ),
    pytest.param({"beyond_64_bits": 2**70, "lowest": -(2**63), "average": 10 / 3}, id="numbers"),
    pytest.param([1, "x", {"y": None}], id="list"),
    pytest.param("text", id="string"),
]


@pytest.mark.parametrize("data", SAME_AS_DRF)
def test_bytes_are_drfs(data):
    assert OURS.render(data) == DRF.render(data)


def test_an_indented_body_is_drfs():
    data = {"a": [1, {"b": 2}]}
    assert OURS.render(data, "application/json; indent=4") == DRF.render(data, "application/json; indent=4")
    assert b"\n    " in OURS.render(data, "application/json; indent=4")


def test_settings_other_than_drfs_defaults_get_drfs_bytes():
    class Spaced(JSONRenderer):
        compact = False  # COMPACT_JSON = False

    class Ascii(JSONRenderer):
        ensure_ascii = True  # UNICODE_JSON = False

    assert Spaced().render({"a": [1, 2]}) == b'{"a": [1, 2]}'
    assert Ascii().render({"a": "é"}) == b'{"a":"\\u00e9"}'


def test_none_is_an_empty_body():
    assert OURS.render(None) == b""


def test_what_drf_cannot_encode_fails_alike():
    @dataclasses.dataclass
    class Thing:
        a: int

    with pytest.raises(TypeError):
        DRF.render({"x": Thing(1)})
    with pytest.raises(TypeError):
        OURS.render({"x": Thing(1)})


@pytest.mark.django_db
def test_an_api_response_is_drfs_rendering_of_its_data(me, partner, couple):
    CheckIn.objects.create(
        user=partner.user,
        couple=couple,
        mood=4,
        connection=5,
        note="Miss you \u2028 already",
        is_shared=True,
        local_date=datetime.date(2026, 12, 5),
    )
    Notification.objects.create(recipient=me.user, kind="nudge", title="Sam 💞", body="hug", data={"n": 1})
    for path in [
        "/api/v1/notifications",
        "/api/v1/check-ins",
        "/api/v1/couple",
        "/api/v1/me",
        f"/api/v1/rituals/{uuid.uuid4()}",
    ]:
        response = me.get(path)
        assert response.status_code in (200, 404), path
        assert response.content == DRF.render(response.data), path
