"""JWT authentication that also checks the token's session, so revoked tokens stop at once."""

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow

from accounts.models import AuthSession, User
from config.api import sql
from config.i18n import activate_for_user
from config.observability import context as observability_context
from couples.models import Couple, Membership

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]

# Access tokens already verified by this process, by their exact bytes (see get_validated_token).
_VERIFIED: dict[bytes, Token] = {}
_VERIFIED_MAX = 10_000


class SessionJWTAuthentication(JWTAuthentication):
    """Accepts an access token only while its user is active and its session is not revoked.

    One query per request (the same one simplejwt makes to load the user), joined to the session:
    logout, logout-all, password change, deactivation and deletion all take effect before the
    access token expires. The same query loads the user's active membership and couple, which
    nearly every endpoint needs next (`couples.scoping.active_membership`), and the partner, whom
    every write that notifies needs (`couples.selectors.partner_of`).
    """

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        result = super().authenticate(request)
        if result is not None:
            # The user's locale applies unless Accept-Language named a shipped language (config/i18n.py).
            activate_for_user(request, result[0])
        return result

    def get_validated_token(self, raw_token: bytes) -> Token:
        """simplejwt's validation, once per token and process: a phone sends the same access token
        with every request of its ten minutes, and decoding and verifying it (base64, JSON, HMAC,
        claims) cost a tenth of a small endpoint's CPU. The same bytes verified once verify again,
        so a token seen before is only checked for expiry; revocation is the session query's, on
        every request (get_user). Bounded: emptied when full."""
        token = _VERIFIED.get(raw_token)
        if token is not None:
            try:
                token.check_exp(current_time=aware_utcnow())
            except TokenError:
                _VERIFIED.pop(raw_token, None)
            else:
                return token
        token = super().get_validated_token(raw_token)
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[raw_token] = token
        return token

    def get_user(self, validated_token: Token) -> Any:
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        session_id = validated_token.get("sid")
        if not user_id or not session_id:
            raise InvalidToken({"detail": _("Token is not bound to a session."), "code": "token_not_valid"})
        try:
            user = session_user(user_id=user_id, session_id=session_id)
        except (ValueError, ValidationError):
            user = None  # claims that are no ids match no session
        if user is None:
            raise AuthenticationFailed(
                {"detail": _("The session of this token has ended. Sign in again."), "code": "session_ended"}
            )
        observability_context.bind_user(user.pk)  # every later log line of the request names (a hash of) them
        return user


def session_user(*, user_id: Any, session_id: Any) -> User | None:
    """The active user of a live (not revoked) session, with their active membership and its couple
    cached for `couples.scoping` (`active_membership` then costs no query); None if there is none.

    The request path of every authenticated endpoint, so the SQL is written once per database vendor
    (`_SessionQuery`) rather than built by the ORM on every request: the ORM spent more CPU compiling
    this join than the rest of a small endpoint. Raises ValidationError for ids that are not UUIDs.
    """
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: `connection` looks it up on every use
    query = _session_query(db.vendor)
    rows = sql.fetch(query.sql, query.params(db, user_id=user_id, session_id=session_id))
    if not rows:
        return None
    row = rows[0]
    user, membership, couple, partner = (loader.load(row, db) for loader in query.loaders)
    assert isinstance(user, User)  # noqa: S101 (the query's INNER JOIN: a row always has its user)
    assert membership is None or isinstance(membership, Membership)  # noqa: S101 (its loader's model)
    assert partner is None or isinstance(partner, User)  # noqa: S101 (its loader's model)
    if membership is not None:
        _MEMBERSHIP_COUPLE.set_cached_value(membership, couple)
        _MEMBERSHIP_USER.set_cached_value(membership, user)
    # Imported here: couples.scoping imports DRF, whose settings import this module.
    from couples import scoping, selectors

    scoping.remember_active_membership(user, membership)
    if membership is not None:
        selectors.remember_partner(user, couple_id=membership.couple_id, partner=partner)
    selectors.bind_requester(user)
    return user


_MEMBERSHIP_COUPLE = Membership._meta.get_field("couple")
_MEMBERSHIP_USER = Membership._meta.get_field("user")


class _Loader:
    """One model's columns in a joined row: their SELECT list and the instance they make, converted
    as the ORM would (`from_db`'s instance, backend and field converters; None for a LEFT JOIN that
    found no row)."""

    def __init__(self, model: type[Model], alias: str, start: int, db: BaseDatabaseWrapper) -> None:
        fields = model._meta.concrete_fields
        self.model, self.alias = model, alias
        self.select = ", ".join(f"{alias}.{db.ops.quote_name(str(field.column))}" for field in fields)
        self.start, self.stop = start, start + len(fields)
        self.attnames = [field.attname for field in fields]
        self.pk_index = self.attnames.index(model._meta.pk.attname) if model._meta.pk else 0
        self.converters: list[tuple[int, Any, list[Converter]]] = []
        for index, field in enumerate(fields):
            column = field.get_col(alias)
            converters = [*db.ops.get_db_converters(column), *column.get_db_converters(db)]
            if converters:
                self.converters.append((index, column, converters))

    def load(self, row: Sequence[Any], db: BaseDatabaseWrapper) -> Model | None:
        values = list(row[self.start : self.stop])
        for index, column, converters in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, db)
        if values[self.pk_index] is None:
            return None
        return sql.loaded_instance(self.model, db.alias, self.attnames, values)


class _SessionQuery:
    def __init__(self, db: BaseDatabaseWrapper) -> None:
        qn = db.ops.quote_name
        self.loaders = []
        start = 0
        for model, alias in ((User, "u"), (Membership, "m"), (Couple, "c"), (User, "p")):
            loader = _Loader(model, alias, start, db)
            self.loaders.append(loader)
            start = loader.stop
        session = AuthSession._meta
        membership = Membership._meta

        def col(opts: Any, name: str) -> str:
            return qn(opts.get_field(name).column)

        user_pk, couple_pk = col(User._meta, "id"), col(Couple._meta, "id")
        member_couple, member_user = col(membership, "couple"), col(membership, "user")
        # The user of a live session, LEFT JOINed to their active membership, its couple and the
        # couple's other active member: at most one row, since a session has one user, a user one
        # active membership (`one_active_couple_per_user`) and a couple two members.
        self.sql = (
            f"SELECT {', '.join(loader.select for loader in self.loaders)} "  # noqa: S608 (names from model meta)
            f"FROM {qn(User._meta.db_table)} u "
            f"INNER JOIN {qn(session.db_table)} s ON s.{col(session, 'user')} = u.{user_pk} "
            f"LEFT OUTER JOIN {qn(membership.db_table)} m "
            f"ON m.{col(membership, 'user')} = u.{user_pk} AND m.{col(membership, 'is_active')} = %s "
            f"LEFT OUTER JOIN {qn(Couple._meta.db_table)} c ON c.{couple_pk} = m.{col(membership, 'couple')} "
            f"LEFT OUTER JOIN {qn(membership.db_table)} pm ON pm.{member_couple} = m.{member_couple} "
            f"AND pm.{col(membership, 'is_active')} = %s AND pm.{member_user} <> u.{user_pk} "
            f"LEFT OUTER JOIN {qn(User._meta.db_table)} p ON p.{user_pk} = pm.{member_user} "
            f"WHERE u.{user_pk} = %s AND u.{col(User._meta, 'is_active')} = %s "
            f"AND s.{col(session, 'id')} = %s AND s.{col(session, 'revoked_at')} IS NULL"
        )

    def params(self, db: BaseDatabaseWrapper, *, user_id: Any, session_id: Any) -> list[Any]:
        user_pk, session_pk = User._meta.pk, AuthSession._meta.pk
        assert user_pk is not None  # noqa: S101 (both models have a primary key)
        assert session_pk is not None  # noqa: S101
        return [
            True,
            True,
            user_pk.get_db_prep_value(user_pk.to_python(user_id), db),
            True,
            session_pk.get_db_prep_value(session_pk.to_python(session_id), db),
        ]


@functools.cache
def _session_query(vendor: str) -> _SessionQuery:
    return _SessionQuery(connections[DEFAULT_DB_ALIAS])  # keeps only what every connection shares
