"""Sign in with Apple and Google: sign-in, the account-takeover guard, linking and unlinking.

The takeover guard: a provider's token proves who holds that Apple or Google account, not who owns
an account of ours with the same address (an unverified Google address, a recycled mailbox, an
address someone registered with us without ever proving it). So a social sign-in whose address
belongs to an existing account that the identity is not linked to never signs in to it: it answers
409 `account_exists` with a short-lived signed `link_token`, and the identity is attached only once
the caller proves the account too, with its password or a code mailed to the account's address
(`social_link_complete`). docs/security.md, "Account takeover through social sign-in".
"""

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services.sessions import TokenPair, session_start
from config.api.errors import ApplicationError, ConflictError
from identity.models import EmailCode, SocialIdentity
from identity.services.email_codes import email_code_consume, email_code_send
from identity.tokens import ProviderIdentity

_LINK_SALT = "identity.social-link"


class AccountExistsError(ConflictError):
    code = "account_exists"
    message = _(
        "An account with this e-mail already exists. To add this sign-in to it, confirm with the account's "
        "password or a code we e-mail to it."
    )


class InvalidLinkTokenError(ApplicationError):
    code = "invalid_link_token"
    message = _("This link request is invalid or has expired. Sign in with the provider again.")


class SignInRefusedError(ApplicationError):
    status_code = 401
    code = "invalid_credentials"
    message = _("This account cannot sign in.")


class WrongPasswordError(ApplicationError):
    status_code = 401
    code = "invalid_credentials"
    message = _("The password is not correct.")


class EmailRequiredError(ApplicationError):
    code = "email_required"
    message = _(
        "The provider did not share an e-mail address. Allow e-mail sharing when you sign in, or sign up with e-mail."
    )


class IdentityInUseError(ConflictError):
    code = "identity_in_use"
    message = _("This Apple or Google account already signs in to another account.")


class ProviderAlreadyLinkedError(ConflictError):
    code = "provider_already_linked"
    message = _("Another account of this provider is linked already. Unlink it first.")


class LastSignInMethodError(ConflictError):
    code = "last_sign_in_method"
    message = _("This is the only way to sign in to your account. Set a password or link another sign-in first.")


def _link_token(identity: ProviderIdentity) -> str:
    return signing.dumps(asdict(identity), salt=_LINK_SALT, compress=True)


def identity_from_link_token(link_token: str) -> ProviderIdentity:
    """The identity a 409 `account_exists` carried; refuses a forged or expired link token."""
    try:
        data: Any = signing.loads(link_token, salt=_LINK_SALT, max_age=settings.SOCIAL_LINK_TOKEN_SECONDS)
        return ProviderIdentity(**data)
    except (signing.BadSignature, TypeError) as exc:
        raise InvalidLinkTokenError() from exc


def _account_for(identity: ProviderIdentity) -> User:
    user = User.objects.filter(email=identity.email, is_active=True).first()
    if user is None:
        raise InvalidLinkTokenError()
    return user


def _refresh_identity(row: SocialIdentity, identity: ProviderIdentity) -> None:
    row.last_used_at = timezone.now()
    fields = ["last_used_at"]
    if identity.email and identity.email != row.email:  # Apple may omit the address after the first sign-in
        row.email, row.email_verified, row.is_private_email = (
            identity.email,
            identity.email_verified,
            identity.is_private_email,
        )
        fields += ["email", "email_verified", "is_private_email"]
    row.save(update_fields=fields)


def _attach(*, user: User, identity: ProviderIdentity) -> SocialIdentity:
    """Links the identity to `user`; a no-op if it is linked to them already."""
    existing = SocialIdentity.objects.filter(provider=identity.provider, subject=identity.subject).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise IdentityInUseError()
        return existing
    if SocialIdentity.objects.filter(user=user, provider=identity.provider).exists():
        raise ProviderAlreadyLinkedError()
    row = SocialIdentity(
        user=user,
        provider=identity.provider,
        subject=identity.subject,
        email=identity.email,
        email_verified=identity.email_verified,
        is_private_email=identity.is_private_email,
        last_used_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError as exc:  # a concurrent link of the same identity or provider
        raise IdentityInUseError() from exc
    return row


def social_sign_in(
    *,
    identity: ProviderIdentity,
    display_name: str = "",
    time_zone: str = "UTC",
    locale: str = "en",
    user_agent: str = "",
) -> tuple[TokenPair, bool]:
    """Signs in the account the identity is linked to, or creates one; returns (tokens, created).

    An unknown identity whose address already has an account raises AccountExistsError with a
    `link_token` (the takeover guard, above). A new account has no password; its address is
    verified when the provider vouches for it (Apple always does, private-relay addresses included).
    """
    known = _sign_in_known(identity=identity, user_agent=user_agent)
    if known is not None:
        return known, False
    if not identity.email:
        raise EmailRequiredError()
    if User.objects.filter(email=identity.email).exists():
        return _address_taken(identity=identity, user_agent=user_agent), False
    user = User(email=identity.email, display_name=display_name[:60], time_zone=time_zone, locale=locale)
    user.full_clean(exclude=["password"], validate_unique=False)
    user.set_unusable_password()
    if identity.email_verified:
        user.email_verified_at = timezone.now()
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            _attach(user=user, identity=identity)
            if not user.email_verified:
                email_code_send(user=user, purpose=EmailCode.Purpose.VERIFY, email=user.email)
            tokens = session_start(user=user, user_agent=user_agent)
    except IntegrityError:  # the address was taken meanwhile
        return _address_taken(identity=identity, user_agent=user_agent), False
    return tokens, True


def _address_taken(*, identity: ProviderIdentity, user_agent: str) -> TokenPair:
    """The identity's address has an account. If a concurrent first sign-in of this same identity
    (a double tap) just created it, sign in to it; otherwise the takeover guard applies."""
    known = _sign_in_known(identity=identity, user_agent=user_agent)
    if known is None:
        raise AccountExistsError(extra={"link_token": _link_token(identity)})
    return known


@transaction.atomic
def _sign_in_known(*, identity: ProviderIdentity, user_agent: str) -> TokenPair | None:
    """Signs in the account the identity is linked to; None when it is linked to none."""
    row = (
        SocialIdentity.objects.select_related("user")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )
    if row is None:
        return None
    if not row.user.is_active:
        raise SignInRefusedError()
    _refresh_identity(row, identity)
    return session_start(user=row.user, user_agent=user_agent)


def social_link_code_send(*, identity: ProviderIdentity) -> None:
    """Mails a `link` code to the existing account a 409 `account_exists` named."""
    user = _account_for(identity)
    email_code_send(user=user, purpose=EmailCode.Purpose.LINK, email=user.email, provider=identity.provider)


def social_link_complete(
    *, identity: ProviderIdentity, password: str | None = None, code: str | None = None, user_agent: str = ""
) -> TokenPair:
    """Attaches the identity of a 409 `account_exists` to that account, proven by password or code.

    A correct code also proves the account's address, which becomes verified.
    """
    user = _account_for(identity)
    if code:
        used = email_code_consume(user=user, purpose=EmailCode.Purpose.LINK, code=code)
        if used.email == user.email and not user.email_verified:
            User.objects.filter(pk=user.pk, email=used.email).update(email_verified_at=timezone.now())
    elif not (password and user.has_usable_password() and user.check_password(password)):
        raise WrongPasswordError()
    with transaction.atomic():
        _attach(user=user, identity=identity)
        return session_start(user=user, user_agent=user_agent)


@transaction.atomic
def identity_link(*, user: User, identity: ProviderIdentity) -> SocialIdentity:
    """Adds a sign-in to the signed-in user's account (from `me`); linking it again is a no-op."""
    return _attach(user=user, identity=identity)


@transaction.atomic
def identity_unlink(*, user: User, identity: SocialIdentity) -> None:
    """Removes a sign-in, unless it is the account's last way in (no usable password, no other identity)."""
    # Two unlinks at once must not both see "another one is left": serialize them on the user row.
    locked = User.objects.select_for_update(no_key=True).only("password").get(pk=user.pk)
    others = SocialIdentity.objects.filter(user=user).exclude(pk=identity.pk).exists()
    if not others and not locked.has_usable_password():
        raise LastSignInMethodError()
    identity.delete()
