"""The signed-in account: `GET/PATCH/DELETE /api/v1/me` and `GET /api/v1/me/export`."""

import json

import pytest
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import export
from accounts.models import AuthSession, Device, User
from tests.conftest import AppClient
from tests.factories import PASSWORD, DeviceFactory, UserFactory

ME = "/api/v1/me"
EXPORT = "/api/v1/me/export"


def _field_codes(response, field: str) -> list[str]:
    return [item["code"] for item in response.json()["error"]["fields"][field]]


# GET /me ---------------------------------------------------------------------------------------


def test_me_shows_the_signed_in_users_profile(me, me_user):
    response = me.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": str(me_user.id),
        "email": "me@example.com",
        "email_verified": True,
        "display_name": "Me",
        "time_zone": "Europe/Berlin",
        "locale": "en",
        "date_joined": me_user.date_joined.isoformat().replace("+00:00", "Z"),
    }


def test_me_never_shows_the_password_hash_or_flags(me, me_user):
    response = me.get(ME)

    assert me_user.password not in response.content.decode()
    assert {"password", "is_staff", "is_superuser", "is_active"}.isdisjoint(response.json())


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_me_needs_a_signed_in_user(anon, method, db):
    response = getattr(anon, method)(ME, {}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_me_rejects_a_garbage_bearer_token(anon, db):
    anon.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")

    response = anon.get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


# PATCH /me -------------------------------------------------------------------------------------


def test_patch_changes_display_name_time_zone_and_locale(me, me_user):
    response = me.patch(
        ME, {"display_name": "Sam", "time_zone": "America/Argentina/Buenos_Aires", "locale": "pt-BR"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["display_name"], body["time_zone"], body["locale"]) == (
        "Sam",
        "America/Argentina/Buenos_Aires",
        "pt-BR",
    )
    me_user.refresh_from_db()
    assert (me_user.display_name, me_user.time_zone, me_user.locale) == (
        "Sam",
        "America/Argentina/Buenos_Aires",
        "pt-BR",
    )


def test_patch_with_one_field_leaves_the_others_alone(me, me_user):
    response = me.patch(ME, {"locale": "de"}, format="json")

    assert response.status_code == 200
    me_user.refresh_from_db()
    assert (me_user.display_name, me_user.time_zone, me_user.locale) == ("Me", "Europe/Berlin", "de")


def test_patch_may_clear_the_display_name(me, me_user):
    response = me.patch(ME, {"display_name": ""}, format="json")

    assert response.status_code == 200
    me_user.refresh_from_db()
    assert me_user.display_name == ""


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kathmandu", "Etc/GMT+2", "Pacific/Chatham"])
def test_patch_accepts_iana_time_zones(me, me_user, zone):
    response = me.patch(ME, {"time_zone": zone}, format="json")

    assert response.status_code == 200
    me_user.refresh_from_db()
    assert me_user.time_zone == zone


@pytest.mark.parametrize("zone", ["Mars/Base", "+02:00", "UTC+2", "europe/berlin", "Europe/Berlin/Mitte"])
def test_patch_rejects_what_is_not_an_iana_time_zone(me, me_user, zone):
    response = me.patch(ME, {"time_zone": zone}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert _field_codes(response, "time_zone") == ["invalid_time_zone"]
    me_user.refresh_from_db()
    assert me_user.time_zone == "Europe/Berlin"


def test_patch_rejects_an_empty_time_zone_as_invalid_time_zone(me, me_user):
    response = me.patch(ME, {"time_zone": ""}, format="json")

    assert response.status_code == 400
    assert _field_codes(response, "time_zone") == ["invalid_time_zone"]


def test_patch_rejects_an_empty_time_zone(me, me_user):
    response = me.patch(ME, {"time_zone": ""}, format="json")

    assert response.status_code == 400
    assert "time_zone" in response.json()["error"]["fields"]
    me_user.refresh_from_db()
    assert me_user.time_zone == "Europe/Berlin"


def test_patch_rejects_the_machine_local_time_zone(me, me_user):
    response = me.patch(ME, {"time_zone": "localtime"}, format="json")

    assert response.status_code == 400
    assert _field_codes(response, "time_zone") == ["invalid_time_zone"]


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"locale": "english!"}, "locale", "invalid_locale"),
        ({"locale": "e"}, "locale", "invalid_locale"),
        ({"locale": ""}, "locale", "blank"),
        ({"locale": "en" + "-abcdefgh" * 4}, "locale", "max_length"),
        ({"time_zone": None}, "time_zone", "null"),
        ({"time_zone": 42}, "time_zone", "invalid_time_zone"),
        ({"display_name": "x" * 61}, "display_name", "max_length"),
        ({"display_name": ["Sam"]}, "display_name", "invalid"),
        ({"display_name": "Sam\x00"}, "display_name", "null_characters_not_allowed"),
    ],
)
def test_patch_rejects_invalid_values_with_the_field_and_code(me, me_user, payload, field, code):
    response = me.patch(ME, payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert _field_codes(response, field) == [code]
    me_user.refresh_from_db()
    assert (me_user.display_name, me_user.time_zone, me_user.locale) == ("Me", "Europe/Berlin", "en")


def test_patch_is_all_or_nothing(me, me_user):
    response = me.patch(ME, {"display_name": "Sam", "time_zone": "Mars/Base"}, format="json")

    assert response.status_code == 400
    me_user.refresh_from_db()
    assert me_user.display_name == "Me"


def test_patch_with_malformed_json_is_a_400_parse_error(me, me_user):
    response = me.generic("PATCH", ME, '{"display_name": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    me_user.refresh_from_db()
    assert me_user.display_name == "Me"


def test_patch_with_a_non_json_body_is_a_415(me, me_user):
    response = me.generic("PATCH", ME, "display_name=Sam", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    me_user.refresh_from_db()
    assert me_user.display_name == "Me"


def test_patch_cannot_assign_anything_but_the_profile_fields(me, me_user):
    before = User.objects.get(id=me_user.id)

    response = me.patch(
        ME,
        {
            "email": "attacker@example.com",
            "id": "00000000-0000-0000-0000-000000000001",
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
            "password": "a-new-password-of-mine",
            "date_joined": "2001-01-01T00:00:00Z",
            "last_login": "2001-01-01T00:00:00Z",
            "email_verified": False,
            "email_verified_at": None,
            "display_name": "Sam",
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["email"] == "me@example.com"
    assert response.json()["id"] == str(me_user.id)
    after = User.objects.get(id=me_user.id)
    assert after.display_name == "Sam"
    for field in (
        "email",
        "is_staff",
        "is_superuser",
        "is_active",
        "password",
        "date_joined",
        "last_login",
        "email_verified_at",
    ):
        assert getattr(after, field) == getattr(before, field), field
    assert after.check_password(PASSWORD)
    assert not User.objects.filter(email="attacker@example.com").exists()
    assert User.objects.count() == 1
    # Still signed in: nothing in the payload touched the session or the account's state.
    assert me.get(ME).status_code == 200


# DELETE /me ------------------------------------------------------------------------------------


def _owned_data(user: User) -> dict[str, int]:
    return {
        "devices": Device.objects.filter(user=user).count(),
        "sessions": AuthSession.objects.filter(user=user).count(),
        "refresh_tokens": OutstandingToken.objects.filter(user=user).count(),
    }


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"password": "not-my-password-at-all"}, "wrong_password"), ({}, "required"), ({"password": ""}, "blank")],
    ids=["wrong", "missing", "empty"],
)
def test_deleting_the_account_without_the_right_password_deletes_nothing(me, me_user, payload, code):
    DeviceFactory.create(user=me_user)
    before = _owned_data(me_user)

    response = me.delete(ME, payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert _field_codes(response, "password") == [code]
    assert User.objects.filter(id=me_user.id, is_active=True).exists()
    assert _owned_data(me_user) == before == {"devices": 1, "sessions": 1, "refresh_tokens": 1}
    assert me.get(ME).status_code == 200


def test_deleting_the_account_removes_the_user_and_everything_it_owns(me, me_user, stranger):
    DeviceFactory.create(user=me_user)
    DeviceFactory.create(user=me_user)
    second_phone = AppClient().sign_in(me_user)
    theirs = DeviceFactory.create(user=stranger.user)
    user_id = me_user.id

    response = me.delete(ME, {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert response.content == b""
    assert not User.objects.filter(id=user_id).exists()
    assert not Device.objects.filter(user_id=user_id).exists()
    assert not AuthSession.objects.filter(user_id=user_id).exists()
    assert not OutstandingToken.objects.filter(user_id=user_id).exists()
    # simplejwt only nulls the user of a refresh token; the token rows themselves must be gone.
    jtis = [me.tokens.refresh, second_phone.tokens.refresh]
    assert not OutstandingToken.objects.filter(token__in=jtis).exists()
    assert not OutstandingToken.objects.filter(user__isnull=True).exists()
    # Someone else's data is untouched.
    assert Device.objects.filter(id=theirs.id).exists()
    assert stranger.get(ME).status_code == 200


def test_tokens_of_a_deleted_account_stop_working(me, me_user, anon):
    second_phone = AppClient().sign_in(me_user)

    response = me.delete(ME, {"password": PASSWORD}, format="json")
    assert response.status_code == 204

    for client in (me, second_phone):
        after = client.get(ME)
        assert after.status_code == 401
        assert after.json()["error"]["code"] in {"session_ended", "token_not_valid"}
        refreshed = anon.post("/api/v1/auth/token/refresh", {"refresh": client.tokens.refresh}, format="json")
        assert refreshed.status_code == 401
        assert refreshed.json()["error"]["code"] == "token_not_valid"


# GET /me/export --------------------------------------------------------------------------------


def test_export_returns_every_section_of_my_data(me, me_user):
    phone = DeviceFactory.create(user=me_user, name="My phone", app_version="3.1")
    tablet = DeviceFactory.create(user=me_user, platform="android", name="My tablet")

    response = me.get(EXPORT)

    assert response.status_code == 200
    body = response.json()
    assert {"exported_at", "profile", "devices", "sessions"} <= set(body)
    assert body["profile"] == [
        {
            "id": str(me_user.id),
            "email": "me@example.com",
            "display_name": "Me",
            "time_zone": "Europe/Berlin",
            "locale": "en",
            "date_joined": me_user.date_joined.isoformat(),
            "email_verified_at": me_user.email_verified_at.isoformat(),
        }
    ]
    assert [(d["id"], d["name"], d["platform"]) for d in body["devices"]] == [
        (str(phone.id), "My phone", "ios"),
        (str(tablet.id), "My tablet", "android"),
    ]
    assert body["devices"][0]["app_version"] == "3.1"
    assert body["devices"][0]["push_token_hint"] == "…" + phone.push_token[-6:]
    session = AuthSession.objects.get(user=me_user)
    assert [s["id"] for s in body["sessions"]] == [str(session.id)]
    assert body["sessions"][0]["user_agent"] == "pytest"


def test_export_contains_no_other_users_data(me, me_user, stranger):
    DeviceFactory.create(user=me_user, push_token="my-own-push-token-" + "m" * 60 + "-mine01")
    theirs = DeviceFactory.create(
        user=stranger.user, name="Stranger's phone", push_token="their-token-" + "t" * 60 + "-their9"
    )
    their_session = AuthSession.objects.get(user=stranger.user)

    text = me.get(EXPORT).content.decode()

    for value in (
        str(stranger.user.id),
        stranger.user.email,
        str(theirs.id),
        theirs.name,
        theirs.push_token[-6:],
        str(their_session.id),
    ):
        assert value not in text


def test_export_contains_no_secrets(me, me_user):
    device = DeviceFactory.create(user=me_user, push_token="secret-push-token-" + "p" * 60 + "-tail42")
    AppClient().sign_in(me_user)  # a second session, with its own refresh token
    secrets = [me_user.password, device.push_token, me.tokens.access, me.tokens.refresh]
    secrets += list(OutstandingToken.objects.filter(user=me_user).values_list("token", flat=True))
    secrets += list(OutstandingToken.objects.filter(user=me_user).values_list("jti", flat=True))

    response = me.get(EXPORT)

    assert response.status_code == 200
    text = response.content.decode()
    for secret in secrets:
        assert secret not in text
    # A JWT is three base64url parts that start with the encoded header `{"`.
    assert "eyJ" not in text
    assert "md5$" not in text
    # The export is for people to read: the push token is shown as a short hint only.
    assert json.loads(text)["devices"][0]["push_token_hint"] == "…tail42"


def test_export_needs_a_signed_in_user(anon, db):
    response = anon.get(EXPORT)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# Query counts ----------------------------------------------------------------------------------


def test_get_me_takes_one_query(me, django_assert_num_queries):
    # The user, joined to the token's session to check it is still open.
    with django_assert_num_queries(1):
        assert me.get(ME).status_code == 200


def test_patch_me_takes_a_constant_number_of_queries(me, django_assert_num_queries):
    # The session-bound user; SAVEPOINT; the UPDATE of the changed fields only; RELEASE.
    # + 1 for sync: who holds the record, the counter bump and the state upsert (sync.changes).
    with django_assert_num_queries(5):
        response = me.patch(ME, {"display_name": "Sam", "time_zone": "Asia/Tokyo", "locale": "ja"}, format="json")

    assert response.status_code == 200


def test_patch_me_without_a_change_writes_nothing(me, django_assert_num_queries):
    with django_assert_num_queries(3) as captured:
        response = me.patch(ME, {"display_name": "Me"}, format="json")

    assert response.status_code == 200
    assert not [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]


@pytest.mark.parametrize("devices", [1, 30])
def test_export_takes_a_constant_number_of_queries(me, me_user, devices, django_assert_num_queries):
    other = UserFactory.create()
    for _ in range(devices):
        DeviceFactory.create(user=me_user)
        AppClient().sign_in(me_user)
        DeviceFactory.create(user=other)

    # The session-bound user, then one query per section (the profile section reads none): other
    # apps register sections too, and each must read its rows in one query, whatever their number.
    expected = 1 + len(export.section_keys()) - 1
    assert expected >= 3  # devices and sessions at least
    with django_assert_num_queries(expected):
        response = me.get(EXPORT)

    assert len(response.json()["devices"]) == devices
    assert len(response.json()["sessions"]) == devices + 1
