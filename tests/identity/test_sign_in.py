"""POST auth/apple and auth/google: verified tokens sign in or sign up; every bad token is a clear 4xx."""

import time

import pytest
from django.core import mail

from accounts.models import AuthSession, User
from identity.models import EmailCode, SocialIdentity
from tests.identity.fake_jwks import FakeIdentityProvider, new_key

pytestmark = pytest.mark.django_db

APPLE = "/api/v1/auth/apple"
GOOGLE = "/api/v1/auth/google"
ME = "/api/v1/me"


def apple_body(idp: FakeIdentityProvider, nonce: str = "raw-nonce", **token: object) -> dict[str, object]:
    return {"identity_token": idp.token("apple", **token), "nonce": nonce}  # type: ignore[arg-type]


def test_first_apple_sign_in_creates_a_verified_account_with_a_private_relay_address(anon, bearer, idp):
    body = {**apple_body(idp), "display_name": "Sam", "time_zone": "Europe/Paris"}

    response = anon.post(APPLE, body, format="json")

    assert response.status_code == 201, response.content
    pair = response.json()
    assert set(pair) == {"token_type", "access", "refresh", "access_expires_at", "refresh_expires_at"}
    user = User.objects.get(email="sam@privaterelay.appleid.com")
    assert (user.display_name, user.time_zone, user.email_verified, user.has_usable_password()) == (
        "Sam",
        "Europe/Paris",
        True,
        False,
    )
    identity = SocialIdentity.objects.get(user=user)
    assert (identity.provider, identity.subject, identity.is_private_email) == ("apple", "000123.abc", True)
    me = bearer(pair["access"]).get(ME).json()
    assert me["email_verified"] is True
    assert mail.outbox == []  # Apple vouched for the address: no code to send


def test_the_next_apple_sign_in_finds_the_account_by_subject_even_without_an_email(anon, idp):
    assert anon.post(APPLE, apple_body(idp), format="json").status_code == 201

    response = anon.post(APPLE, apple_body(idp, email=None), format="json")

    assert response.status_code == 200, response.content
    assert User.objects.count() == 1
    assert AuthSession.objects.count() == 2


def test_google_sign_in_with_an_unverified_address_sends_a_code(anon, idp, django_capture_on_commit_callbacks):
    token = idp.token("google", sub="g-1", email="Kim@Example.com", email_verified=False, nonce=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post(GOOGLE, {"id_token": token}, format="json")

    assert response.status_code == 201, response.content
    user = User.objects.get(email="kim@example.com")
    assert not user.email_verified
    (message,) = mail.outbox
    assert message.to == ["kim@example.com"]
    assert EmailCode.objects.filter(user=user, purpose="verify").count() == 1


def test_google_nonce_must_match_when_either_side_has_one(anon, idp, expect_error):
    with_nonce = idp.token("google", nonce="n-1")
    assert anon.post(GOOGLE, {"id_token": with_nonce, "nonce": "n-1"}, format="json").status_code == 201
    expect_error(anon.post(GOOGLE, {"id_token": with_nonce, "nonce": "n-2"}, format="json"), 401, "invalid_nonce")
    expect_error(anon.post(GOOGLE, {"id_token": with_nonce}, format="json"), 401, "invalid_nonce")
    without = idp.token("google", nonce=None)
    expect_error(anon.post(GOOGLE, {"id_token": without, "nonce": "n-1"}, format="json"), 401, "invalid_nonce")


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("wrong_nonce", "invalid_nonce"),
        ("raw_nonce_in_token", "invalid_nonce"),
        ("expired", "identity_token_expired"),
        ("wrong_audience", "invalid_audience"),
        ("wrong_issuer", "invalid_issuer"),
        ("forged_signature", "invalid_identity_token"),
        ("unknown_kid", "invalid_identity_token"),
        ("alg_none", "invalid_identity_token"),
        ("hs256_with_public_key", "invalid_identity_token"),
        ("no_sub", "invalid_identity_token"),
        ("no_exp", "invalid_identity_token"),
        ("garbage", "invalid_identity_token"),
        ("google_token_at_apple", "invalid_identity_token"),
    ],
)
def test_bad_apple_tokens_are_refused_with_a_clear_code(case, code, anon, idp, jwt_tool, expect_error):
    good = idp.token("apple")
    tokens = {
        "wrong_nonce": (good, "another-nonce"),
        "raw_nonce_in_token": (idp.token("apple", extra={"nonce": "raw-nonce"}), "raw-nonce"),
        "expired": (idp.token("apple", expires_in=-3600), "raw-nonce"),
        "wrong_audience": (idp.token("apple", audience="com.attacker.app"), "raw-nonce"),
        "wrong_issuer": (idp.token("apple", issuer="https://evil.example.com"), "raw-nonce"),
        "forged_signature": (idp.token("apple", key=new_key()), "raw-nonce"),
        "unknown_kid": (idp.token("apple", kid="nobody", key=new_key()), "raw-nonce"),
        "alg_none": (jwt_tool.unsigned(jwt_tool.claims(good)), "raw-nonce"),
        "hs256_with_public_key": (
            jwt_tool.build({"alg": "HS256", "kid": "apple-key-1"}, jwt_tool.claims(good), "c2lnbmF0dXJl"),
            "raw-nonce",
        ),
        "no_sub": (idp.token("apple", drop=("sub",)), "raw-nonce"),
        "no_exp": (idp.token("apple", drop=("exp",)), "raw-nonce"),
        "garbage": ("not.a.jwt", "raw-nonce"),
        "google_token_at_apple": (idp.token("google"), "raw-nonce"),
    }
    token, nonce = tokens[case]

    response = anon.post(APPLE, {"identity_token": token, "nonce": nonce}, format="json")

    expect_error(response, 401, code)
    assert User.objects.count() == 0


def test_a_tampered_claim_breaks_the_signature(anon, idp, jwt_tool, expect_error):
    token = jwt_tool.with_claims(idp.token("apple"), sub="victim-subject")
    expect_error(
        anon.post(APPLE, {"identity_token": token, "nonce": "raw-nonce"}, format="json"), 401, "invalid_identity_token"
    )


def test_missing_fields_are_validation_errors(anon, idp, expect_error, field_codes):
    error = expect_error(
        anon.post(APPLE, {"identity_token": idp.token("apple")}, format="json"), 400, "validation_error"
    )
    assert field_codes(error) == {"nonce": ["required"]}


def test_apple_without_an_email_for_a_new_identity_is_a_400(anon, idp, expect_error):
    expect_error(anon.post(APPLE, apple_body(idp, email=None), format="json"), 400, "email_required")


def test_a_deactivated_account_cannot_sign_in_with_its_identity(anon, idp, expect_error):
    assert anon.post(APPLE, apple_body(idp), format="json").status_code == 201
    User.objects.update(is_active=False)
    expect_error(anon.post(APPLE, apple_body(idp), format="json"), 401, "invalid_credentials")


def test_provider_down_is_a_503_envelope(anon, idp, expect_error):
    idp.providers["apple"].failing = True
    expect_error(anon.post(APPLE, apple_body(idp), format="json"), 503, "provider_unavailable")


def test_the_key_set_is_cached_for_its_max_age_and_refetched_for_a_new_kid(anon, idp, settings):
    settings.JWKS_MIN_REFETCH_SECONDS = 0
    for _ in range(3):
        anon.post(APPLE, apple_body(idp), format="json")
    assert idp.providers["apple"].fetches == 1

    new_kid = idp.rotate("apple")
    response = anon.post(APPLE, apple_body(idp, kid=new_kid), format="json")

    assert response.status_code == 200, response.content
    assert idp.providers["apple"].fetches == 2


def test_no_store_key_sets_are_fetched_each_time(anon, idp):
    idp.providers["google"].cache_control = "no-store"
    for _ in range(2):
        anon.post(GOOGLE, {"id_token": idp.token("google", nonce=None)}, format="json")
    assert idp.providers["google"].fetches == 2


def test_unknown_kids_do_not_refetch_more_than_once_per_interval(anon, idp, settings, expect_error):
    settings.JWKS_MIN_REFETCH_SECONDS = 3600
    anon.post(APPLE, apple_body(idp), format="json")
    for _ in range(3):
        forged = idp.token("apple", kid=f"forged-{time.monotonic_ns()}", key=new_key())
        expect_error(
            anon.post(APPLE, {"identity_token": forged, "nonce": "raw-nonce"}, format="json"),
            401,
            "invalid_identity_token",
        )
    assert idp.providers["apple"].fetches == 1


def test_a_stale_key_set_is_fetched_again_after_max_age(anon, idp, time_machine):
    idp.providers["apple"].cache_control = "max-age=60"
    anon.post(APPLE, apple_body(idp), format="json")
    time_machine.move_to(time.time() + 61)
    anon.post(APPLE, apple_body(idp), format="json")
    assert idp.providers["apple"].fetches == 2


def test_sign_in_is_rate_limited_per_ip(anon, idp, settings, expect_error):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "social_sign_in": "2/300"}
    for _ in range(2):
        anon.post(APPLE, {"identity_token": "x", "nonce": "y"}, format="json")
    expect_error(anon.post(APPLE, apple_body(idp), format="json"), 429, "rate_limited")
    expect_error(anon.post(GOOGLE, {"id_token": "x"}, format="json"), 429, "rate_limited")


def test_a_failed_refetch_keeps_serving_the_keys_still_fresh(anon, idp, settings, expect_error):
    settings.JWKS_MIN_REFETCH_SECONDS = 0
    assert anon.post(APPLE, apple_body(idp), format="json").status_code == 201
    idp.providers["apple"].failing = True

    forged = idp.token("apple", kid="unknown", key=new_key())
    expect_error(
        anon.post(APPLE, {"identity_token": forged, "nonce": "raw-nonce"}, format="json"), 401, "invalid_identity_token"
    )
    assert anon.post(APPLE, apple_body(idp), format="json").status_code == 200
