"""Devices: `GET/POST /api/v1/devices`, `DELETE /api/v1/devices/{id}`.

POST is an idempotent upsert on the push token (DESIGN §3): a retry or a race leaves one row, and a
token moves to the latest user who registers it.
"""

import uuid
from functools import partial

import pytest

from accounts.models import Device
from tests.concurrency import race
from tests.conftest import AppClient
from tests.factories import DeviceFactory, UserFactory

DEVICES = "/api/v1/devices"


def _token(label: str) -> str:
    # FCM tokens are ~150 characters; a distinctive body keeps them apart in assertions on raw text.
    return f"fcm-{label}-" + uuid.uuid4().hex * 4


def _register(client: AppClient, push_token: str, **fields: str):
    return client.post(DEVICES, {"platform": "android", "push_token": push_token, **fields}, format="json")


# POST /devices ---------------------------------------------------------------------------------


def test_registering_a_new_token_creates_a_device_of_the_caller(me, me_user):
    token = _token("new")

    response = _register(me, token, name="Pixel 9", app_version="1.4.0")

    assert response.status_code == 200
    body = response.json()
    device = Device.objects.get(push_token=token)
    assert body["id"] == str(device.id)
    assert body["platform"] == "android"
    assert body["push_token"] == token
    assert body["name"] == "Pixel 9"
    assert body["app_version"] == "1.4.0"
    assert body["is_active"] is True
    assert device.user_id == me_user.id


def test_registering_the_same_token_twice_keeps_one_row_and_its_id(me, me_user):
    token = _token("twice")
    first = _register(me, token, name="Old name", app_version="1.0.0")
    created = Device.objects.get(push_token=token)

    second = _register(me, token, name="New name", app_version="2.0.0")

    assert first.status_code == second.status_code == 200
    assert second.json()["id"] == first.json()["id"] == str(created.id)
    assert Device.objects.filter(push_token=token).count() == 1
    device = Device.objects.get(push_token=token)
    assert (device.name, device.app_version) == ("New name", "2.0.0")
    assert second.json()["name"] == "New name"
    # The row was updated, not recreated: its creation time is the first registration's.
    assert device.created_at == created.created_at
    assert second.json()["created_at"] == first.json()["created_at"]
    assert device.updated_at > created.updated_at


def test_re_registering_a_deactivated_token_turns_it_back_on(me, me_user):
    device = DeviceFactory.create(user=me_user, is_active=False)

    response = _register(me, device.push_token)

    assert response.status_code == 200
    assert response.json()["id"] == str(device.id)
    device.refresh_from_db()
    assert device.is_active is True


def test_a_token_moves_to_the_latest_user_who_registers_it(me, me_user, stranger):
    token = _token("moving")
    _register(stranger, token, name="Shared phone")
    assert Device.objects.get(push_token=token).user_id == stranger.user.id

    response = _register(me, token, name="My phone now")

    assert response.status_code == 200
    assert Device.objects.filter(push_token=token).count() == 1
    device = Device.objects.get(push_token=token)
    assert device.user_id == me_user.id
    assert device.name == "My phone now"
    assert str(device.id) not in stranger.get(DEVICES).content.decode()
    assert [row["id"] for row in me.get(DEVICES).json()["results"]] == [str(device.id)]


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"platform": "symbian", "push_token": "t" * 20}, "platform", "invalid_choice"),
        ({"push_token": "t" * 20}, "platform", "required"),
        ({"platform": "ios"}, "push_token", "required"),
        ({"platform": "ios", "push_token": ""}, "push_token", "blank"),
        ({"platform": "ios", "push_token": "t" * 513}, "push_token", "max_length"),
        ({"platform": "ios", "push_token": "t" * 20, "name": "n" * 101}, "name", "max_length"),
        # PostgreSQL cannot store NUL in text: it must be a 400, not a DataError and a 500.
        ({"platform": "ios", "push_token": "tok\x00en" * 5}, "push_token", "null_characters_not_allowed"),
        ({"platform": ["ios"], "push_token": "t" * 20}, "platform", "invalid_choice"),
        ({"platform": "ios", "push_token": {"t": 1}}, "push_token", "invalid"),
    ],
)
def test_invalid_registration_is_a_400_envelope_and_creates_nothing(me, payload, field, code):
    response = me.post(DEVICES, payload, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [item["code"] for item in error["fields"][field]] == [code]
    assert not Device.objects.exists()


def test_malformed_json_is_a_400_parse_error(me):
    response = me.post(DEVICES, data='{"platform": "ios", ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not Device.objects.exists()


def test_registering_a_device_needs_a_signed_in_user(anon, db):
    response = _register(anon, _token("anon"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert not Device.objects.exists()


# GET /devices ----------------------------------------------------------------------------------


def test_the_list_shows_only_my_devices_newest_first(me, me_user, stranger):
    older = DeviceFactory.create(user=me_user)
    newer = DeviceFactory.create(user=me_user)
    DeviceFactory.create(user=stranger.user)

    response = me.get(DEVICES)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next", "previous"}
    assert [row["id"] for row in body["results"]] == [str(newer.id), str(older.id)]
    assert body["next"] is None
    assert body["previous"] is None


def test_the_list_is_cursor_paginated(me, me_user):
    devices = [DeviceFactory.create(user=me_user) for _ in range(5)]
    newest_first = [str(device.id) for device in reversed(devices)]

    first = me.get(DEVICES, {"page_size": 2}).json()
    second = me.get(first["next"]).json()
    third = me.get(second["next"]).json()

    assert [row["id"] for row in first["results"]] == newest_first[:2]
    assert [row["id"] for row in second["results"]] == newest_first[2:4]
    assert [row["id"] for row in third["results"]] == newest_first[4:]
    assert "cursor=" in first["next"]
    assert first["previous"] is None
    assert second["previous"] is not None
    assert third["next"] is None


def test_the_page_size_is_capped_at_100(me, me_user):
    Device.objects.bulk_create([Device(user=me_user, platform="ios", push_token=_token(str(i))) for i in range(101)])

    response = me.get(DEVICES, {"page_size": 1000})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
    assert response.json()["next"] is not None


def test_a_forged_cursor_is_a_404_envelope(me, me_user):
    DeviceFactory.create(user=me_user)

    response = me.get(DEVICES, {"cursor": "not-a-cursor"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_listing_devices_needs_a_signed_in_user(anon, db):
    response = anon.get(DEVICES)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# DELETE /devices/{id} --------------------------------------------------------------------------


def test_deleting_my_device_removes_it(me, me_user):
    device = DeviceFactory.create(user=me_user)
    kept = DeviceFactory.create(user=me_user)

    response = me.delete(f"{DEVICES}/{device.id}")

    assert response.status_code == 204
    assert response.content == b""
    assert list(Device.objects.values_list("id", flat=True)) == [kept.id]


def test_deleting_another_users_device_is_a_404_and_keeps_it(me, stranger):
    theirs = DeviceFactory.create(user=stranger.user)

    response = me.delete(f"{DEVICES}/{theirs.id}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Device.objects.filter(id=theirs.id, user=stranger.user).exists()


def test_deleting_an_unknown_device_is_a_404(me):
    response = me.delete(f"{DEVICES}/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_deleting_a_device_needs_a_signed_in_user(anon, db):
    device = DeviceFactory.create()

    response = anon.delete(f"{DEVICES}/{device.id}")

    assert response.status_code == 401
    assert Device.objects.filter(id=device.id).exists()


# Query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
def test_listing_devices_takes_two_queries_whatever_their_number(me, me_user, count, django_assert_num_queries):
    for _ in range(count):
        DeviceFactory.create(user=me_user)

    # The session-bound user, then one page of devices.
    with django_assert_num_queries(2):
        response = me.get(DEVICES, {"page_size": 100})

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("existing", [False, True])
def test_registering_a_device_takes_a_constant_number_of_queries(me, me_user, existing, django_assert_num_queries):
    token = _token("count")
    if existing:
        DeviceFactory.create(user=me_user, push_token=token)

    # The session-bound user, then SAVEPOINT, the upsert, reading the row back, RELEASE.
    with django_assert_num_queries(5):
        response = _register(me, token)

    assert response.status_code == 200


# Concurrency -----------------------------------------------------------------------------------


def _registration_outcome(client: AppClient, push_token: str) -> object:
    """The status code of one registration, or the exception it raised (the race asserts on both)."""
    try:
        return _register(client, push_token).status_code
    except Exception as exc:
        return exc


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_user", [True, False], ids=["same-user", "two-users"])
def test_concurrent_registrations_of_one_token_leave_one_row_and_no_error(same_user):
    first_user = UserFactory.create()
    second_user = first_user if same_user else UserFactory.create()
    clients = [
        AppClient(raise_request_exception=False).sign_in(first_user),
        AppClient(raise_request_exception=False).sign_in(second_user),
    ]

    for round_number in range(20):
        token = _token(f"race{round_number}")

        outcomes = race(*(partial(_registration_outcome, client, token) for client in clients))

        assert outcomes == [200, 200], f"round {round_number}"
        assert Device.objects.filter(push_token=token).count() == 1, f"round {round_number}"
        assert Device.objects.get(push_token=token).user_id in {first_user.id, second_user.id}
    assert Device.objects.count() == 20


def test_logout_with_the_push_token_stops_pushes_to_that_phone_only(me, me_user):
    phone = DeviceFactory.create(user=me_user)
    tablet = DeviceFactory.create(user=me_user)

    response = me.post("/api/v1/auth/logout", {"push_token": phone.push_token}, format="json")

    assert response.status_code == 204
    assert list(Device.objects.filter(user=me_user)) == [tablet]


def test_logout_cannot_unregister_another_users_token(me, stranger_user):
    theirs = DeviceFactory.create(user=stranger_user)

    assert me.post("/api/v1/auth/logout", {"push_token": theirs.push_token}, format="json").status_code == 204
    assert Device.objects.filter(id=theirs.id).exists()


def test_logout_everywhere_unregisters_every_phone(me, me_user):
    DeviceFactory.create(user=me_user)
    DeviceFactory.create(user=me_user)

    assert me.post("/api/v1/auth/logout-all").status_code == 204
    assert not Device.objects.filter(user=me_user).exists()
