"""SessionJWTAuthentication: one hand-written query loads the user, checks the session, and caches the
active membership and couple exactly as `couples.scoping.active_membership` would."""

import uuid

import pytest
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.tokens import AccessToken

from accounts.authentication import SessionJWTAuthentication, session_user
from accounts.models import AuthSession, User
from couples import scoping
from couples.models import Membership
from couples.services import couple_unpair
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _token(user_id: object, session_id: object) -> AccessToken:
    token = AccessToken()
    token["user_id"] = user_id
    token["sid"] = session_id
    return token


def _authenticate(user_id: object, session_id: object) -> User:
    return SessionJWTAuthentication().get_user(_token(user_id, session_id))


def test_a_live_session_loads_the_user_with_membership_and_couple_in_one_query(
    me, me_user, couple, django_assert_num_queries
):
    session = AuthSession.objects.get(user=me_user)
    with django_assert_num_queries(1):
        user = _authenticate(str(me_user.pk), str(session.pk))
        membership = scoping.active_membership(user)
        assert scoping.active_couple(user) == couple
        assert membership is not None
        assert membership.user is user
    expected = Membership.objects.get(user=me_user, is_active=True)
    assert user == me_user
    assert [getattr(user, f.attname) for f in User._meta.concrete_fields] == [
        getattr(me_user, f.attname) for f in User._meta.concrete_fields
    ]
    assert [getattr(membership, f.attname) for f in Membership._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in Membership._meta.concrete_fields
    ]
    assert [getattr(membership.couple, f.name) for f in couple._meta.concrete_fields] == [
        getattr(couple, f.name) for f in couple._meta.concrete_fields
    ]
    assert not user._state.adding
    assert user._state.db == "default"


def test_an_unpaired_user_has_no_membership_and_no_further_query(me, me_user, django_assert_num_queries):
    session = AuthSession.objects.get(user=me_user)
    with django_assert_num_queries(1):
        user = _authenticate(str(me_user.pk), str(session.pk))
        assert scoping.active_membership(user) is None
        assert scoping.active_couple_id(user) is None


def test_an_ended_membership_is_not_the_active_one(me, me_user, partner, couple):
    couple_unpair(user=me_user)
    session = AuthSession.objects.get(user=me_user)
    assert scoping.active_membership(_authenticate(str(me_user.pk), str(session.pk))) is None


@pytest.mark.parametrize(
    ("user_id", "session_id"),
    [
        ("not-a-uuid", None),  # session id filled in below
        (None, "not-a-uuid"),
        (None, str(uuid.UUID(int=7))),  # no such session
        ("other-user", None),  # somebody else's session id
    ],
)
def test_claims_that_name_no_live_session_fail(me, me_user, user_id, session_id):
    session = AuthSession.objects.get(user=me_user)
    other = UserFactory.create()
    user_id = {None: str(me_user.pk), "other-user": str(other.pk)}.get(user_id, user_id)
    session_id = session_id or str(session.pk)
    with pytest.raises(AuthenticationFailed) as failure:
        _authenticate(user_id, session_id)
    assert failure.value.args[0]["code"] == "session_ended"


def test_a_token_without_a_session_claim_is_invalid(me, me_user):
    with pytest.raises(InvalidToken):
        _authenticate(str(me_user.pk), "")


def test_revoked_sessions_and_inactive_users_find_nothing(me, me_user):
    session = AuthSession.objects.get(user=me_user)
    assert session_user(user_id=me_user.pk, session_id=session.pk) == me_user
    User.objects.filter(pk=me_user.pk).update(is_active=False)
    assert session_user(user_id=me_user.pk, session_id=session.pk) is None
    User.objects.filter(pk=me_user.pk).update(is_active=True)
    AuthSession.objects.filter(pk=session.pk).update(revoked_at=session.created_at)
    assert session_user(user_id=me_user.pk, session_id=session.pk) is None
