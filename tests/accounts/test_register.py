"""POST /api/v1/auth/register: sign-up, and every way bad input is refused with a 400 (never a 500)."""

import json
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.models import AuthSession, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
ME = "/api/v1/me"
STRONG_PASSWORD = "lantern-orchard-velvet-42"


def _valid(**changes: object) -> dict[str, object]:
    return {
        "email": "Sam.Rivers@Example.com",
        "password": STRONG_PASSWORD,
        "display_name": "Sam",
        "time_zone": "America/New_York",
        "locale": "pt-BR",
        **changes,
    }


def test_register_creates_the_account_and_returns_a_working_token_pair(anon, bearer):
    response = anon.post(REGISTER, _valid(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get()
    assert body["user"] == {
        "id": str(user.id),
        "email": "sam.rivers@example.com",
        "email_verified": False,
        "display_name": "Sam",
        "time_zone": "America/New_York",
        "locale": "pt-BR",
        "date_joined": body["user"]["date_joined"],
    }
    assert user.email == "sam.rivers@example.com"
    assert user.check_password(STRONG_PASSWORD)
    assert user.is_active
    assert (user.time_zone, user.locale, user.display_name) == ("America/New_York", "pt-BR", "Sam")
    tokens = body["tokens"]
    assert tokens["token_type"] == "Bearer"
    assert set(tokens) == {"token_type", "access", "refresh", "access_expires_at", "refresh_expires_at"}
    assert AuthSession.objects.filter(user=user, revoked_at__isnull=True).count() == 1

    me = bearer(tokens["access"]).get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == str(user.id)


def test_register_uses_defaults_for_the_optional_fields(anon):
    response = anon.post(REGISTER, {"email": "kim@example.com", "password": STRONG_PASSWORD}, format="json")

    assert response.status_code == 201, response.content
    user = User.objects.get(email="kim@example.com")
    assert (user.display_name, user.time_zone, user.locale) == ("", "UTC", "en")
    assert response.json()["user"]["time_zone"] == "UTC"


def test_register_refresh_token_can_be_exchanged(anon):
    tokens = anon.post(REGISTER, _valid(), format="json").json()["tokens"]

    response = APIClient().post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["refresh"] != tokens["refresh"]


@pytest.mark.parametrize(
    "raw_body",
    [
        pytest.param('{"email": "sam@example.com", "password": ', id="truncated"),
        pytest.param("{'email': 'sam@example.com'}", id="single-quotes"),
        pytest.param('{"email": "sam@example.com", "password": NaN}', id="nan"),
        pytest.param(b'{"email": "\xff\xfe@example.com"}', id="invalid-utf8"),
    ],
)
def test_malformed_json_is_a_parse_error(anon, expect_error, raw_body):
    response = anon.generic("POST", REGISTER, raw_body, content_type="application/json")

    error = expect_error(response, 400, "parse_error")
    assert "fields" not in error
    assert not User.objects.exists()


def test_json_nested_deeper_than_the_parser_can_go_is_a_parse_error(anon, expect_error):
    response = anon.generic("POST", REGISTER, "[" * 100_000, content_type="application/json")

    expect_error(response, 400, "parse_error")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        pytest.param(_valid(email=12345), "email", "invalid", id="email-as-number"),
        pytest.param(_valid(email=["sam@example.com"]), "email", "invalid", id="email-as-list"),
        pytest.param(_valid(email=None), "email", "null", id="email-null"),
        pytest.param(_valid(email="not-an-address"), "email", "invalid", id="email-malformed"),
        pytest.param(_valid(email="a" * 250 + "@x.io"), "email", "max_length", id="email-too-long"),
        pytest.param(_valid(password=["lantern", "orchard"]), "password", "invalid", id="password-as-list"),
        pytest.param(_valid(password={"value": STRONG_PASSWORD}), "password", "invalid", id="password-as-object"),
        pytest.param(_valid(password=True), "password", "invalid", id="password-as-bool"),
        pytest.param(_valid(display_name={"first": "Sam"}), "display_name", "invalid", id="name-as-object"),
        pytest.param(_valid(display_name="x" * 61), "display_name", "max_length", id="name-too-long"),
        pytest.param(_valid(display_name="Sam\x00"), "display_name", "null_characters_not_allowed", id="name-nul"),
        pytest.param(_valid(time_zone="Mars/Olympus_Mons"), "time_zone", "invalid_time_zone", id="tz-unknown"),
        pytest.param(_valid(time_zone="+02:00"), "time_zone", "invalid_time_zone", id="tz-offset"),
        pytest.param(_valid(time_zone=["UTC"]), "time_zone", "invalid", id="tz-as-list"),
        pytest.param(_valid(locale="english!"), "locale", "invalid_locale", id="locale-garbage"),
        pytest.param(_valid(locale="e"), "locale", "invalid_locale", id="locale-too-short"),
        pytest.param(_valid(locale="en_US"), "locale", "invalid_locale", id="locale-underscore"),
    ],
)
def test_wrong_types_and_values_are_field_errors(anon, expect_error, field_codes, body, field, code):
    response = anon.post(REGISTER, body, format="json")

    error = expect_error(response, 400, "validation_error")
    assert field_codes(error) == {field: [code]}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param([{"email": "sam@example.com", "password": STRONG_PASSWORD}], id="array"),
        pytest.param("sam@example.com", id="string"),
        pytest.param(42, id="number"),
        pytest.param(None, id="null"),
    ],
)
def test_a_body_that_is_not_an_object_is_a_validation_error(anon, expect_error, field_codes, body):
    response = anon.generic("POST", REGISTER, json.dumps(body), content_type="application/json")

    error = expect_error(response, 400, "validation_error")
    assert list(field_codes(error)) == ["non_field_errors"]
    assert not User.objects.exists()


def test_missing_fields_are_each_reported_as_required(anon, expect_error, field_codes):
    response = anon.post(REGISTER, {}, format="json")

    error = expect_error(response, 400, "validation_error")
    assert field_codes(error) == {"email": ["required"], "password": ["required"]}
    assert not User.objects.exists()


def test_an_empty_body_is_reported_as_missing_fields(anon, expect_error, field_codes):
    response = anon.generic("POST", REGISTER, "", content_type="application/json")

    error = expect_error(response, 400, "validation_error")
    assert field_codes(error) == {"email": ["required"], "password": ["required"]}


@pytest.mark.parametrize(
    ("email", "password", "code"),
    [
        pytest.param("sam@example.com", "Short-42", "password_too_short", id="too-short"),
        pytest.param("sam@example.com", "qwertyuiop", "password_too_common", id="common"),
        pytest.param("sam@example.com", "8675309284716", "password_entirely_numeric", id="numeric"),
        pytest.param("harmony.meadows@example.com", "harmony.meadows", "password_too_similar", id="like-email"),
    ],
)
def test_weak_passwords_are_refused(anon, expect_error, field_codes, email, password, code):
    response = anon.post(REGISTER, _valid(email=email, password=password), format="json")

    error = expect_error(response, 400, "validation_error")
    assert code in field_codes(error)["password"]
    assert list(field_codes(error)) == ["password"]
    assert not User.objects.exists()


def test_a_short_numeric_password_reports_every_failed_rule(anon, expect_error, field_codes):
    response = anon.post(REGISTER, _valid(password="1234"), format="json")

    error = expect_error(response, 400, "validation_error")
    assert set(field_codes(error)["password"]) == {
        "password_too_short",
        "password_too_common",
        "password_entirely_numeric",
    }


@pytest.mark.parametrize("email", ["taken@example.com", "Taken@Example.COM", "  TAKEN@example.com  "])
def test_a_taken_email_is_refused_whatever_its_case(anon, expect_error, field_codes, email):
    existing = UserFactory.create(email="taken@example.com")

    response = anon.post(REGISTER, _valid(email=email), format="json")

    error = expect_error(response, 400, "validation_error")
    assert field_codes(error) == {"email": ["email_taken"]}
    assert list(User.objects.values_list("id", flat=True)) == [existing.id]
    assert not AuthSession.objects.exists()


def test_a_non_json_content_type_is_415_in_the_envelope(anon, expect_error):
    response = anon.post(
        REGISTER,
        f"email=sam%40example.com&password={STRONG_PASSWORD}",
        content_type="application/x-www-form-urlencoded",
    )

    expect_error(response, 415, "unsupported_media_type")
    assert not User.objects.exists()


def test_a_stale_authorization_header_does_not_block_sign_up(anon):
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer not-a-token-{uuid.uuid4()}")

    response = anon.post(REGISTER, _valid(), format="json")

    assert response.status_code == 201, response.content
    assert User.objects.filter(email="sam.rivers@example.com").exists()
