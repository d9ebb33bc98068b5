"""Writes on accounts: registration, profile, passwords, deletion."""

import logging
import uuid
from collections.abc import Callable

from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import User, normalize_email
from accounts.services.devices import devices_unregister
from accounts.services.sessions import TokenPair, session_revoke, session_start, sessions_revoke_all
from config.api.errors import ApplicationError

logger = logging.getLogger(__name__)


def _wrong_password(field: str) -> ValidationError:
    return ValidationError({field: ValidationError(_("The password is not correct."), code="wrong_password")})


class InvalidResetLinkError(ApplicationError):
    code = "invalid_reset_token"
    message = _("This password reset link is invalid or has expired. Ask for a new one.")


def _validate_new_password(password: str, user: User, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


def user_register(
    *,
    email: str,
    password: str,
    display_name: str = "",
    time_zone: str = "UTC",
    locale: str = "en",
    user_agent: str = "",
) -> tuple[User, TokenPair]:
    """Creates an account and signs it in. A taken address is a validation error on `email`."""
    user = User(email=normalize_email(email), display_name=display_name, time_zone=time_zone, locale=locale)
    user.full_clean(exclude=["password"], validate_unique=False)
    _validate_new_password(password, user)
    user.set_password(password)
    taken = ValidationError(
        {"email": ValidationError(_("An account with this e-mail already exists."), code="email_taken")}
    )
    if User.objects.filter(email=user.email).exists():
        raise taken
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            tokens = session_start(user=user, user_agent=user_agent)
            _send_verification_code(user)
    except IntegrityError as exc:  # lost a race with a concurrent registration of the same address
        raise taken from exc
    return user, tokens


def _send_verification_code(user: User) -> None:
    """A sign-up asks the new address to prove itself (identity app: a 6-digit code by e-mail)."""
    from identity.models import EmailCode
    from identity.services.email_codes import email_code_send

    email_code_send(user=user, purpose=EmailCode.Purpose.VERIFY, email=user.email)


@transaction.atomic
def user_update_profile(*, user: User, data: dict[str, str]) -> User:
    """Changes the profile fields a user may edit themselves; anything else in `data` is ignored."""
    editable = ("display_name", "time_zone", "locale")
    changed = [field for field in editable if field in data and getattr(user, field) != data[field]]
    for field in changed:
        setattr(user, field, data[field])
    if changed:
        # Validate only what changed: re-checking the e-mail constraints would cost queries for nothing.
        untouched = [f.name for f in User._meta.concrete_fields if f.name not in changed]
        user.full_clean(exclude=untouched, validate_unique=False, validate_constraints=False)
        user.save(update_fields=changed)
    return user


@transaction.atomic
def logout(*, user: User, session_id: str, push_token: str | None = None) -> None:
    """Signs one phone out; with its push token, that phone also stops receiving pushes."""
    session_revoke(session_id=session_id)
    if push_token:
        devices_unregister(user=user, push_token=push_token)


@transaction.atomic
def logout_everywhere(*, user: User) -> None:
    """Signs every phone out and unregisters every push token: nothing reaches a signed-out phone."""
    sessions_revoke_all(user=user)
    devices_unregister(user=user)


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str, user_agent: str = "") -> TokenPair:
    """Changes the password, ends every session (all devices) and signs the caller in again."""
    if not user.check_password(current_password):
        raise _wrong_password("current_password")
    _validate_new_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_revoke_all(user=user)
    return session_start(user=user, user_agent=user_agent)


def password_reset_request(*, email: str) -> None:
    """Sends a reset link if the address is the verified address of an active account. Says nothing
    either way (an unverified address gets no link: nobody proved they read it).

    The e-mail goes through the transactional outbox (notifications.outbox): a broker outage delays
    it until the relay publishes it, and never turns this request into an error.

    Says nothing by its timing either: an unknown or inactive address takes the same path as a real
    account (one lookup, one outbox row in a transaction), with a random id that matches no user, so
    the task finds nobody and mails nothing. Only the worker, which the requester cannot time, does
    less work.
    """
    from accounts.tasks import send_password_reset_email
    from notifications.outbox import outbox_add

    user = (
        User.objects.filter(email=normalize_email(email), is_active=True, email_verified_at__isnull=False)
        .only("id")
        .first()
    )
    user_id = str(user.id if user is not None else uuid.uuid4())
    with transaction.atomic():
        outbox_add(task=send_password_reset_email, kwargs={"user_id": user_id})


def password_reset_link_parts(user: User) -> tuple[str, str]:
    """The (uid, token) pair the reset e-mail carries; the token dies once the password changes."""
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> None:
    """Sets a new password from a reset link and ends every existing session."""
    try:
        user = User.objects.select_for_update(no_key=True).get(pk=force_str(urlsafe_base64_decode(uid)), is_active=True)
    except (User.DoesNotExist, ValueError, ValidationError, TypeError, OverflowError) as exc:
        raise InvalidResetLinkError() from exc
    if not default_token_generator.check_token(user, token):
        raise InvalidResetLinkError()
    _validate_new_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_revoke_all(user=user)


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """Blocks sign-in and ends every session (used by admins)."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_revoke_all(user=user)


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """Deletes the account and everything it owns, after checking the password.

    Rows of other apps that reference the user cascade with it (the meta-test in
    tests/accounts/test_user_data_coverage.py fails when a new relation would not). Refresh tokens
    only SET_NULL their user in simplejwt, so they are deleted here explicitly.
    """
    if not user.check_password(password):
        raise _wrong_password("password")
    account_erase(user=user)


@transaction.atomic
def account_erase(*, user: User) -> None:
    """Deletes the account and everything it owns, with no password check: for `account_delete`, and
    for the provider telling us the user deleted the Apple ID that was their only way to sign in."""
    for handler in _before_delete_handlers:
        handler(user)
    OutstandingToken.objects.filter(user=user).delete()
    user.delete()
    logger.info("account deleted", extra={"user_id": str(user.pk)})


_before_delete_handlers: list[Callable[[User], None]] = []


def register_before_delete(handler: Callable[[User], None]) -> None:
    """Lets another app act before an account is deleted (the couples app ends the couple)."""
    _before_delete_handlers.append(handler)
