"""me/identities: list, link (from a signed-in account) and unlink, never the last way in."""

import pytest

from identity.models import SocialIdentity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IDENTITIES = "/api/v1/me/identities"


def _link(client, idp, provider="apple", **token):
    nonce = "raw-nonce"
    body = {"provider": provider, "token": idp.token(provider, nonce=nonce if provider == "apple" else None, **token)}
    if provider == "apple":
        body["nonce"] = nonce
    return client.post(IDENTITIES, body, format="json")


def test_linking_an_identity_lists_it(me, me_user, idp, django_assert_num_queries):
    response = _link(me, idp, sub="my-apple-sub", email="me-relay@privaterelay.appleid.com")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["provider"], body["email"], body["is_private_email"]) == (
        "apple",
        "me-relay@privaterelay.appleid.com",
        True,
    )
    assert "subject" not in body
    assert _link(me, idp, "google", sub="my-google-sub", email="me@gmail.com").status_code == 201

    with django_assert_num_queries(2):  # the session (authentication), the identities
        listed = me.get(IDENTITIES)

    assert [i["provider"] for i in listed.json()] == ["apple", "google"]
    assert SocialIdentity.objects.filter(user=me_user).count() == 2


def test_linking_again_is_a_no_op_and_an_identity_of_another_account_is_refused(me, idp, expect_error):
    assert _link(me, idp, sub="s-1").status_code == 201
    assert _link(me, idp, sub="s-1").status_code == 201
    assert SocialIdentity.objects.count() == 1
    expect_error(_link(me, idp, sub="s-2"), 409, "provider_already_linked")

    other = UserFactory.create()
    SocialIdentity.objects.create(user=other, provider="google", subject="g-taken")
    expect_error(_link(me, idp, "google", sub="g-taken"), 409, "identity_in_use")


def test_linking_needs_a_valid_token(me, idp, expect_error):
    expect_error(_link(me, idp, audience="com.other.app"), 401, "invalid_audience")
    response = me.post(IDENTITIES, {"provider": "apple", "token": idp.token("apple")}, format="json")
    expect_error(response, 401, "invalid_nonce")  # Apple needs the raw nonce
    assert not SocialIdentity.objects.exists()


def test_unlinking_with_a_password_left(me, me_user, idp):
    identity_id = _link(me, idp).json()["id"]

    assert me.delete(f"{IDENTITIES}/{identity_id}").status_code == 204
    assert not SocialIdentity.objects.exists()


def test_the_last_way_to_sign_in_cannot_be_unlinked(me, me_user, idp, expect_error):
    me_user.set_unusable_password()
    me_user.save()
    apple = _link(me, idp).json()["id"]
    google = _link(me, idp, "google", sub="g-1").json()["id"]

    assert me.delete(f"{IDENTITIES}/{google}").status_code == 204
    expect_error(me.delete(f"{IDENTITIES}/{apple}"), 409, "last_sign_in_method")
    assert SocialIdentity.objects.filter(pk=apple).exists()


def test_another_users_identity_is_a_404(me, stranger_user, expect_error):
    theirs = SocialIdentity.objects.create(user=stranger_user, provider="apple", subject="theirs")

    expect_error(me.delete(f"{IDENTITIES}/{theirs.pk}"), 404, "not_found")
    assert SocialIdentity.objects.filter(pk=theirs.pk).exists()


def test_identities_are_in_the_export_and_go_with_the_account(me, me_user, idp):
    _link(me, idp, sub="exported")

    exported = me.get("/api/v1/me/export").json()["sign_in_identities"]

    assert [(i["provider"], i["subject"]) for i in exported] == [("apple", "exported")]
