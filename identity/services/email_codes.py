"""E-mail verification codes: sending (through the outbox), checking, and what a correct code does.

A code is made by the worker that mails it (`identity.send_email_code`), so it never sits in the
broker or the outbox table in clear; only its HMAC is stored. It is 6 digits, valid
EMAIL_CODE_TTL_MINUTES (15), good for one use, and dies after EMAIL_CODE_MAX_ATTEMPTS wrong guesses.
Requests to send or check codes are rate-limited per user and per IP by the views.
"""

import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password as check_hashed_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.models import User, normalize_email
from config.api.errors import ApplicationError, ConflictError
from identity.models import EmailCode

Purpose = EmailCode.Purpose


class InvalidEmailCodeError(ApplicationError):
    code = "invalid_code"
    message = _("This code is wrong or has expired. Check the latest e-mail, or ask for a new code.")


class EmailAlreadyVerifiedError(ConflictError):
    code = "email_already_verified"
    message = _("This e-mail address is already verified.")


def _code_hash(code_id: uuid.UUID, code: str) -> str:
    return salted_hmac("identity.EmailCode", f"{code_id}:{code}", algorithm="sha256").hexdigest()


def email_code_send(*, user: User, purpose: str, email: str, provider: str = "") -> None:
    """Queues a new code for `email` in the caller's transaction (notifications.outbox).

    `provider` names the sign-in being linked, for the wording of a `link` code's e-mail."""
    from identity.tasks import send_email_code
    from notifications.outbox import outbox_add

    with transaction.atomic():
        outbox_add(
            task=send_email_code,
            kwargs={"user_id": str(user.pk), "purpose": purpose, "email": email, "provider": provider},
        )


@transaction.atomic
def email_code_issue(*, user: User, purpose: str, email: str) -> str:
    """Replaces the user's live code of this purpose with a new one; returns it (for the e-mail only)."""
    EmailCode.objects.filter(user=user, purpose=purpose).delete()
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = EmailCode(user=user, purpose=purpose, email=email)
    row.code_hash = _code_hash(row.id, code)
    row.expires_at = row.created_at + timedelta(minutes=settings.EMAIL_CODE_TTL_MINUTES)
    row.save(force_insert=True)
    return code


def email_code_consume(*, user: User, purpose: str, code: str) -> EmailCode:
    """Uses the user's live code of `purpose` if `code` matches it; raises InvalidEmailCodeError if not.

    A wrong guess is counted in its own committed transaction before the error is raised, so a
    rollback of the caller cannot give the guesser their attempts back.
    """
    wrong = False
    with transaction.atomic():
        row = (
            EmailCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, used_at=None, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if row is None or row.attempts >= settings.EMAIL_CODE_MAX_ATTEMPTS:
            raise InvalidEmailCodeError()
        if hmac.compare_digest(row.code_hash, _code_hash(row.id, code)):
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
        else:
            row.attempts += 1
            row.save(update_fields=["attempts"])
            wrong = True
    if wrong:
        raise InvalidEmailCodeError()
    return row


def email_verification_request(*, user: User) -> None:
    """Sends a new code to the account's address, unless it is verified already."""
    if user.email_verified:
        raise EmailAlreadyVerifiedError()
    email_code_send(user=user, purpose=Purpose.VERIFY, email=user.email)


def _email_taken() -> ValidationError:
    return ValidationError(
        {"email": ValidationError(_("An account with this e-mail already exists."), code="email_taken")}
    )


def email_verification_confirm(*, user: User, code: str) -> User:
    """Checks a verification code: the address it was sent to becomes the account's, verified.

    For a code sent at sign-up (or a resend) that is the address the account has; for one sent by an
    e-mail change (`me/email`) it is the new address, which replaces the old one only now.
    """
    row = email_code_consume(user=user, purpose=Purpose.VERIFY, code=code)
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
        fields = ["email_verified_at"]
        if locked.email != row.email:
            if User.objects.filter(email=row.email).exclude(pk=user.pk).exists():
                raise _email_taken()
            locked.email = row.email
            fields.append("email")
        locked.email_verified_at = timezone.now()
        try:
            with transaction.atomic():
                locked.save(update_fields=fields)
        except IntegrityError as exc:  # another account took the address meanwhile
            raise _email_taken() from exc
    return locked


def email_change_request(*, user: User, email: str, password: str | None = None) -> None:
    """Starts changing the account's address: a code goes to the new one, which applies once confirmed.

    Needs the current password when the account has one (a stolen access token alone must not be
    able to move the address, and with it password resets). Until confirmed, the account keeps its
    address and its verified state.
    """
    new = normalize_email(email)
    if user.has_usable_password() and not check_hashed_password(password or "", user.password):
        raise ValidationError({"password": ValidationError(_("The password is not correct."), code="wrong_password")})
    if new == user.email:
        email_verification_request(user=user)
        return
    if User.objects.filter(email=new).exists():
        raise _email_taken()
    email_code_send(user=user, purpose=Purpose.VERIFY, email=new)


def email_codes_purge(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Deletes used and expired codes in short batches; returns how many. Safe to run twice."""
    now = now or timezone.now()
    dead = EmailCode.objects.filter(Q(expires_at__lte=now) | Q(used_at__isnull=False))
    deleted = 0
    while True:
        batch = list(dead.values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        deleted += EmailCode.objects.filter(pk__in=batch).delete()[0]
