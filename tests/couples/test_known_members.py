"""The couple authentication loaded, as the audience of the request's writes
(couples.selectors.known_members): never past its request, its couple or its pairing."""

from django.core.signals import request_started
from rest_framework_simplejwt.tokens import AccessToken

from accounts.authentication import SessionJWTAuthentication
from accounts.models import User
from accounts.services.sessions import session_start
from couples.selectors import known_members
from couples.services import couple_unpair
from sync.tables import couple_members


def _authenticated(user: User) -> User:
    """The request's user as authentication loads it (with its couple and partner) and binds it."""
    # simplejwt takes the encoded token, though its annotation says a Token.
    token = AccessToken(session_start(user=user, user_agent="pytest").access)  # type: ignore[arg-type]
    return SessionJWTAuthentication().get_user(token)


def test_authentication_knows_the_members_of_the_couple_it_loaded(me_user, partner_user, couple, stranger_user):
    _authenticated(me_user)

    assert set(known_members(couple.pk) or []) == {me_user.pk, partner_user.pk}
    assert set(couple_members(couple.pk)) == {me_user.pk, partner_user.pk}
    stranger_couple = stranger_user.memberships.get(is_active=True).couple_id
    assert known_members(stranger_couple) is None  # another couple: asked again
    assert len(couple_members(stranger_couple)) == 2


def test_nothing_is_known_once_the_request_ends(me, couple):
    assert me.get("/api/v1/couple").status_code == 200  # bound it while it ran

    assert known_members(couple.pk) is None


def test_a_request_that_authenticates_nobody_knows_nobody(me_user, partner_user, couple, anon):
    _authenticated(me_user)  # left bound by code outside a request: the next request starts clean
    seen = []
    request_started.connect(lambda **kwargs: seen.append(known_members(couple.pk)), weak=False, dispatch_uid="t")
    try:
        assert anon.get("/healthz").status_code == 200
    finally:
        request_started.disconnect(dispatch_uid="t")

    assert seen == [None]
    assert known_members(couple.pk) is None


def test_unpairing_forgets_the_couple(me_user, partner_user, couple):
    user = _authenticated(me_user)

    couple_unpair(user=user)

    assert known_members(couple.pk) is None
    assert couple_members(couple.pk) == []  # the ended couple has no audience left


def test_a_write_reaches_both_phones_with_the_members_authentication_loaded(
    me, partner, couple, django_assert_num_queries
):
    cursor = partner.get("/api/v1/sync/pull").json()["timestamp"]
    with django_assert_num_queries(5):  # session, savepoint, insert, release, stamps: no members query
        check_in = me.post("/api/v1/check-ins", {"mood": 4, "connection": 4, "is_shared": True}).json()

    pulled = partner.get("/api/v1/sync/pull", {"last_pulled_at": cursor}).json()["changes"]["check_ins"]
    assert [record["id"] for record in pulled["created"] + pulled["updated"]] == [check_in["id"]]
