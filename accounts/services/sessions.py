"""Sign-in sessions and their JWTs: login, refresh with rotation and a grace window, logout.

Each login opens an `AuthSession`. Its refresh tokens rotate: every refresh blacklists the token it
used and mints the successor. A mobile client that sent a refresh but lost the response may send
the same token again within `JWT_REFRESH_GRACE_SECONDS` and receives the same successor (not a
second, independent one). After the grace window, re-use of a rotated token is treated as theft:
the whole session is revoked.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import AuthSession, User
from config.api.errors import ApplicationError


class InvalidRefreshTokenError(ApplicationError):
    status_code = 401
    code = "token_not_valid"
    message = _("The refresh token is invalid, expired or revoked. Sign in again.")


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_at: datetime
    refresh_expires_at: datetime


def _mint_refresh(*, session_id: str, user_id: str) -> tuple[RefreshToken, OutstandingToken]:
    token = RefreshToken()
    token[api_settings.USER_ID_CLAIM] = user_id
    token["sid"] = session_id
    outstanding = OutstandingToken.objects.create(
        user_id=user_id,
        jti=token["jti"],
        token=str(token),
        created_at=token.current_time,
        expires_at=datetime_from_epoch(token["exp"]),
    )
    return token, outstanding


def _pair(refresh: RefreshToken) -> TokenPair:
    access = refresh.access_token
    return TokenPair(
        access=str(access),
        refresh=str(refresh),
        access_expires_at=datetime_from_epoch(access["exp"]),
        refresh_expires_at=datetime_from_epoch(refresh["exp"]),
    )


@transaction.atomic
def session_start(*, user: User, user_agent: str = "") -> TokenPair:
    """Opens a session for a user who just proved who they are, and returns its first token pair."""
    session = AuthSession(user=user, user_agent=user_agent[:200])
    refresh, outstanding = _mint_refresh(session_id=str(session.id), user_id=str(user.id))
    session.current_refresh = outstanding
    session.save(force_insert=True)
    return _pair(refresh)


class _PresentedRefreshToken(RefreshToken):
    """A refresh token checked for signature, expiry, id and type, but not against the blacklist.

    Whether it may still be exchanged is decided under the session's row lock in `_exchange`
    (a rotated token is accepted again within the grace window). Never decode a presented token
    with `verify=False`: in simplejwt that also skips the signature check.
    """

    def check_blacklist(self) -> None:
        return None


def _decode_refresh(raw: str) -> RefreshToken:
    try:
        token = _PresentedRefreshToken(raw)  # type: ignore[arg-type]
    except TokenError as exc:
        raise InvalidRefreshTokenError() from exc
    if "sid" not in token.payload or "jti" not in token.payload:
        raise InvalidRefreshTokenError()
    return token


def tokens_refresh(*, raw_refresh: str) -> TokenPair:
    """Exchanges a refresh token for a new pair (rotation), tolerating a lost response."""
    presented = _decode_refresh(raw_refresh)
    pair = _exchange(presented)
    if pair is None:
        # A rotated token came back after the grace window: someone else may hold it, so the whole
        # session ends (in its own transaction: the 401 that follows must not roll it back).
        session_revoke(session_id=presented["sid"])
        raise InvalidRefreshTokenError()
    return pair


@transaction.atomic
def _exchange(presented: RefreshToken) -> TokenPair | None:
    """Rotates under the session's row lock, so concurrent refreshes of one token serialize."""
    session = (
        AuthSession.objects.select_for_update(of=("self",))
        .filter(id=presented["sid"], revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    # Read the current token only once the lock is held. Joined in the same statement, a request that
    # waited for a concurrent rotation would see the new session row next to the token row of its own
    # (older) snapshot, find no current token and fail instead of taking the grace path.
    if session is None or session.current_refresh_id is None:
        raise InvalidRefreshTokenError()
    current = OutstandingToken.objects.filter(id=session.current_refresh_id).first()
    if current is None:
        raise InvalidRefreshTokenError()
    now = timezone.now()

    if presented["jti"] == current.jti:
        BlacklistedToken.objects.create(token=current)
        refresh, outstanding = _mint_refresh(session_id=str(session.id), user_id=str(session.user_id))
        session.previous_refresh_jti = presented["jti"]
        session.current_refresh = outstanding
        session.refreshed_at = now
        session.save(update_fields=["previous_refresh_jti", "current_refresh", "refreshed_at"])
        return _pair(refresh)

    grace = timedelta(seconds=settings.JWT_REFRESH_GRACE_SECONDS)
    in_grace = session.refreshed_at is not None and now - session.refreshed_at <= grace
    if presented["jti"] == session.previous_refresh_jti and in_grace:
        # The client lost our answer: same successor as the first exchange, with a fresh access token.
        # verify=False is safe here: the token text comes from our own table, not from the client.
        return _pair(RefreshToken(current.token, verify=False))  # type: ignore[arg-type]
    return None


def _revoke(sessions: QuerySet[AuthSession], now: datetime) -> int:
    current_ids = list(
        sessions.filter(revoked_at__isnull=True, current_refresh__isnull=False).values_list(
            "current_refresh", flat=True
        )
    )
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token_id=token_id) for token_id in current_ids], ignore_conflicts=True
    )
    return sessions.filter(revoked_at__isnull=True).update(revoked_at=now)


@transaction.atomic
def session_revoke(*, session_id: str) -> None:
    """Logs one app install out: its access and refresh tokens stop working at once."""
    _revoke(AuthSession.objects.filter(id=session_id), timezone.now())


@transaction.atomic
def sessions_revoke_all(*, user: User) -> int:
    """Logs every app install of the user out."""
    return _revoke(AuthSession.objects.filter(user=user), timezone.now())


def tokens_flush_expired(*, now: datetime | None = None) -> int:
    """Deletes expired refresh tokens and the sessions they can no longer refresh."""
    now = now or timezone.now()
    lifetime = api_settings.REFRESH_TOKEN_LIFETIME
    # In batches (accounts.services.retention): one refresh a day per user makes this table big.
    from accounts.services.retention import delete_in_batches

    deleted_sessions = delete_in_batches(
        AuthSession.objects.filter(created_at__lt=now - lifetime, refreshed_at__isnull=True)
    )
    stale_sessions = delete_in_batches(AuthSession.objects.filter(refreshed_at__lt=now - lifetime))
    # Their BlacklistedToken rows go with them (foreign-key cascade).
    deleted_tokens = delete_in_batches(OutstandingToken.objects.filter(expires_at__lt=now))
    return deleted_sessions + stale_sessions + deleted_tokens
