"""A social sign-in never attaches itself to an existing account by e-mail alone (docs/security.md)."""

import pytest
from django.core import mail

from accounts.models import AuthSession, User
from identity.models import SocialIdentity
from tests.factories import PASSWORD, UserFactory
from tests.identity.helpers import last_code

pytestmark = pytest.mark.django_db

GOOGLE = "/api/v1/auth/google"
APPLE = "/api/v1/auth/apple"
LINK = "/api/v1/auth/social/link"
LINK_CODE = "/api/v1/auth/social/link/code"


@pytest.fixture
def victim(db):
    return UserFactory.create(email="kim@example.com")


def _account_exists(anon, idp, expect_error, **token):
    response = anon.post(
        GOOGLE, {"id_token": idp.token("google", sub="g-attacker", nonce=None, **token)}, format="json"
    )
    error = expect_error(response, 409, "account_exists")
    assert set(error) == {"code", "message", "link_token"}
    return error["link_token"]


def test_a_google_sign_in_with_an_existing_address_does_not_sign_in(anon, idp, victim, expect_error):
    link_token = _account_exists(anon, idp, expect_error, email="Kim@Example.com")

    assert link_token
    assert not SocialIdentity.objects.exists()
    assert not AuthSession.objects.filter(user=victim).exists()
    assert User.objects.count() == 1


def test_even_a_provider_verified_address_needs_the_account_proven(anon, idp, victim, expect_error):
    # Verified by Google or not, the guard is the same: the mailbox may have changed hands.
    _account_exists(anon, idp, expect_error, email="kim@example.com", email_verified=True)
    assert not SocialIdentity.objects.exists()


def test_linking_with_the_accounts_password_signs_in_and_links(anon, idp, victim, expect_error, bearer):
    link_token = _account_exists(anon, idp, expect_error, email="kim@example.com")

    response = anon.post(LINK, {"link_token": link_token, "password": PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    assert bearer(response.json()["access"]).get("/api/v1/me").json()["id"] == str(victim.id)
    (identity,) = SocialIdentity.objects.all()
    assert (identity.user, identity.provider, identity.subject) == (victim, "google", "g-attacker")
    # From now on the identity signs in directly.
    again = anon.post(GOOGLE, {"id_token": idp.token("google", sub="g-attacker", nonce=None)}, format="json")
    assert again.status_code == 200


def test_a_wrong_password_links_nothing(anon, idp, victim, expect_error):
    link_token = _account_exists(anon, idp, expect_error, email="kim@example.com")

    expect_error(
        anon.post(LINK, {"link_token": link_token, "password": "guess"}, format="json"), 401, "invalid_credentials"
    )

    assert not SocialIdentity.objects.exists()


def test_an_account_without_a_password_cannot_be_linked_by_password(anon, idp, expect_error):
    user = UserFactory.create(email="kim@example.com")
    user.set_unusable_password()
    user.save()
    link_token = _account_exists(anon, idp, expect_error, email="kim@example.com")

    expect_error(
        anon.post(LINK, {"link_token": link_token, "password": "!"}, format="json"), 401, "invalid_credentials"
    )


def test_linking_with_a_code_mailed_to_the_account(anon, idp, victim, expect_error, django_capture_on_commit_callbacks):
    victim.email_verified_at = None
    victim.save()
    link_token = _account_exists(anon, idp, expect_error, email="kim@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        sent = anon.post(LINK_CODE, {"link_token": link_token}, format="json")
    assert sent.status_code == 202, sent.content
    (message,) = mail.outbox
    assert message.to == ["kim@example.com"]
    assert "Google" in message.subject

    code = last_code("kim@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    expect_error(anon.post(LINK, {"link_token": link_token, "code": wrong}, format="json"), 400, "invalid_code")
    response = anon.post(LINK, {"link_token": link_token, "code": code}, format="json")

    assert response.status_code == 200, response.content
    assert SocialIdentity.objects.get().user == victim
    victim.refresh_from_db()
    assert victim.email_verified  # the code proved the mailbox
    # Single use.
    expect_error(anon.post(LINK, {"link_token": link_token, "code": code}, format="json"), 400, "invalid_code")


def test_a_forged_or_expired_link_token_is_refused(anon, idp, victim, expect_error, settings, time_machine):
    import time

    link_token = _account_exists(anon, idp, expect_error, email="kim@example.com")
    tampered = link_token[:-3] + ("AAA" if not link_token.endswith("AAA") else "BBB")
    expect_error(
        anon.post(LINK, {"link_token": tampered, "password": PASSWORD}, format="json"), 400, "invalid_link_token"
    )
    expect_error(anon.post(LINK_CODE, {"link_token": "forged"}, format="json"), 400, "invalid_link_token")

    time_machine.move_to(time.time() + settings.SOCIAL_LINK_TOKEN_SECONDS + 5)
    expect_error(
        anon.post(LINK, {"link_token": link_token, "password": PASSWORD}, format="json"), 400, "invalid_link_token"
    )
    assert not SocialIdentity.objects.exists()


def test_password_and_code_are_exclusive(anon, expect_error, field_codes):
    for body in ({"link_token": "t"}, {"link_token": "t", "password": "p", "code": "123456"}):
        error = expect_error(anon.post(LINK, body, format="json"), 400, "validation_error")
        assert field_codes(error) == {"password": ["password_or_code"]}


def test_linking_is_rate_limited_per_account_across_ips(anon, idp, victim, expect_error, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "social_link_account": "2/3600"}
    link_token = _account_exists(anon, idp, expect_error, email="kim@example.com")
    for ip in ("10.0.0.1", "10.0.0.2"):
        anon.post(LINK, {"link_token": link_token, "password": "guess"}, format="json", REMOTE_ADDR=ip)
    response = anon.post(LINK, {"link_token": link_token, "password": PASSWORD}, format="json", REMOTE_ADDR="10.0.0.3")
    expect_error(response, 429, "rate_limited")


def test_an_apple_identity_linked_elsewhere_cannot_be_linked_again(anon, idp, victim, expect_error):
    other = UserFactory.create(email="other@example.com")
    SocialIdentity.objects.create(user=other, provider="google", subject="g-attacker", email="x@example.com")

    # The identity is known: it signs in to its own account, whatever the address says.
    response = anon.post(
        GOOGLE, {"id_token": idp.token("google", sub="g-attacker", email="kim@example.com", nonce=None)}, format="json"
    )
    assert response.status_code == 200
    assert AuthSession.objects.filter(user=other).count() == 1
    assert not AuthSession.objects.filter(user=victim).exists()
