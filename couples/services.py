"""Writes on couples: invites, pairing, shared fields, unpairing."""

from datetime import date, datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.api.errors import ApplicationError, ConflictError, NotFoundError
from couples import codes
from couples.models import Couple, Invite, Membership
from couples.scoping import active_membership, forget_active_membership
from couples.signals import couple_ended
from notifications.models import Notification
from notifications.services import notify
from sync.receivers import touch_partner_profiles

MAX_PENDING_INVITES = 5


class AlreadyPairedError(ConflictError):
    code = "already_paired"
    message = _("You are already paired. Unpair first to pair with someone else.")


class TooManyInvitesError(ConflictError):
    code = "too_many_invites"
    message = format_lazy(_("You already have {count} open invites. Revoke one first."), count=MAX_PENDING_INVITES)


class InviteNotFoundError(NotFoundError):
    code = "invite_not_found"
    message = _("No invite has this code. Check it with your partner.")


class InviteExpiredError(ApplicationError):
    status_code = 410
    code = "invite_expired"
    message = _("This invite has expired. Ask your partner for a new one.")


class InviteRevokedError(ApplicationError):
    status_code = 410
    code = "invite_revoked"
    message = _("This invite was cancelled. Ask your partner for a new one.")


class InviteUsedError(ConflictError):
    code = "invite_already_used"
    message = _("This invite has already been used.")


class OwnInviteError(ApplicationError):
    code = "invite_is_own"
    message = _("This is your own invite: send it to your partner instead.")


class InviterPairedError(ConflictError):
    code = "inviter_already_paired"
    message = _("The person who invited you is already paired with someone else.")


@transaction.atomic
def invite_create(*, inviter: User) -> Invite:
    """A fresh single-use code, valid for INVITE_TTL_HOURS. Only unpaired users invite."""
    User.objects.select_for_update(no_key=True).filter(pk=inviter.pk).first()  # serializes one user's invite creation
    if active_membership(inviter) is not None:
        raise AlreadyPairedError()
    now = timezone.now()
    pending = Invite.objects.filter(
        inviter=inviter, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    if pending >= MAX_PENDING_INVITES:
        raise TooManyInvitesError()
    expires_at = now + timedelta(hours=settings.INVITE_TTL_HOURS)
    for _attempt in range(5):  # a collision in 6.6e11 codes is rare; retry a few times rather than fail
        try:
            with transaction.atomic():
                return Invite.objects.create(
                    inviter=inviter, code=codes.generate(), created_at=now, expires_at=expires_at
                )
        except IntegrityError:
            continue
    raise ConflictError(_("Could not allocate an invite code; try again."))


@transaction.atomic
def invite_revoke(*, invite: Invite) -> None:
    """Cancels a pending invite. Revoking twice is fine; a used invite cannot be revoked."""
    invite = Invite.objects.select_for_update().get(pk=invite.pk)
    if invite.accepted_at:
        raise InviteUsedError()
    if invite.revoked_at is None:
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["revoked_at"])


def invite_accept(*, code: str, user: User) -> Couple:
    """Pairs `user` with the invite's author; exactly one of two racing acceptances wins.

    The invite row is locked, so a second acceptance of the same code waits and then sees it used.
    Two different invites that would put one person in two couples are stopped by the
    `one_active_couple_per_user` unique index: the loser gets a clean 409, never a 500.
    """
    try:
        couple = _pair(code=codes.normalize(code), joiner=user)
    except IntegrityError as exc:
        raise AlreadyPairedError(_("One of you was paired a moment ago. Reload and try again.")) from exc
    forget_active_membership(user)
    return couple


@transaction.atomic
def _pair(*, code: str, joiner: User) -> Couple:
    inviter_id = Invite.objects.filter(code=code).values_list("inviter_id", flat=True).first()
    if inviter_id is None:
        raise InviteNotFoundError()
    # Lock both people (in id order) before any invite: pairing touches every open invite of both,
    # so taking invite locks first lets two acceptances of one inviter's invites deadlock.
    people = User.objects.select_for_update(no_key=True).filter(pk__in=[inviter_id, joiner.pk])
    list(people.order_by("pk").values_list("pk"))
    invite = Invite.objects.select_for_update().select_related("inviter").get(code=code)
    now = timezone.now()
    status = invite.status_at(now)
    if status == Invite.Status.ACCEPTED:
        raise InviteUsedError()
    if status == Invite.Status.REVOKED:
        raise InviteRevokedError()
    if status == Invite.Status.EXPIRED:
        raise InviteExpiredError()
    if invite.inviter_id == joiner.pk:
        raise OwnInviteError()
    if Membership.objects.filter(user=joiner, is_active=True).exists():
        raise AlreadyPairedError()
    if Membership.objects.filter(user_id=invite.inviter_id, is_active=True).exists():
        raise InviterPairedError()

    couple = Couple.objects.create(created_at=now, time_zone=invite.inviter.time_zone)
    Membership.objects.bulk_create(
        [
            Membership(couple=couple, user_id=invite.inviter_id, joined_at=now),
            Membership(couple=couple, user=joiner, joined_at=now),
        ]
    )
    invite.accepted_at = now
    invite.couple = couple
    invite.save(update_fields=["accepted_at", "couple"])
    # Each phone now holds the other's profile (sync).
    touch_partner_profiles([invite.inviter_id, joiner.pk])
    # Both are paired now: their other open invites die.
    Invite.objects.filter(
        inviter_id__in=[invite.inviter_id, joiner.pk], accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    notify(
        recipient=invite.inviter,
        kind=Notification.Kind.INVITE_ACCEPTED,
        params={"partner_name": joiner.display_name},
        data={"screen": "couple", "couple_id": str(couple.id)},
        dedupe_key=f"invite_accepted:{invite.id}",
    )
    return couple


@transaction.atomic
def couple_update(*, couple: Couple, data: dict[str, object]) -> Couple:
    """Edits the fields both partners share. Anything else in `data` is ignored."""
    if "together_since" in data:
        together_since = data["together_since"]
        if isinstance(together_since, date) and together_since > timezone.localdate():
            raise ValidationError(
                {"together_since": ValidationError(_("The anniversary cannot be in the future."), code="future_date")}
            )
        couple.together_since = together_since  # type: ignore[assignment]
        couple.save(update_fields=["together_since"])
    if "time_zone" in data:
        couple.time_zone = str(data["time_zone"])
        couple.full_clean(validate_unique=False, validate_constraints=False)
        couple.save(update_fields=["time_zone"])
    return couple


def couple_unpair(*, user: User) -> Couple:
    """Ends the user's couple at once; the partner is told. Needs no consent from the partner."""
    membership = active_membership(user)
    if membership is None:
        from couples.scoping import NotPairedError

        raise NotPairedError()
    couple = _end(couple_id=membership.couple_id, by=user, reason=Couple.EndReason.UNPAIRED)
    forget_active_membership(user)
    return couple


@transaction.atomic
def _end(*, couple_id: UUID, by: User, reason: str) -> Couple:
    couple = Couple.objects.select_for_update().get(pk=couple_id)
    if not couple.is_active:
        return couple  # a partner unpaired a moment earlier: the outcome is the same
    now = timezone.now()
    couple.status = Couple.Status.ENDED
    couple.ended_at = now
    couple.end_reason = reason
    couple.save(update_fields=["status", "ended_at", "end_reason"])
    partners = list(Membership.objects.filter(couple=couple, is_active=True).select_related("user"))
    Membership.objects.filter(couple=couple, is_active=True).update(is_active=False, left_at=now)
    Invite.objects.filter(
        inviter_id__in=[m.user_id for m in partners], accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    for membership in partners:
        if membership.user_id == by.pk:
            continue
        deleted = reason == Couple.EndReason.ACCOUNT_DELETED
        notify(
            recipient=membership.user,
            kind=Notification.Kind.PARTNER_DELETED_ACCOUNT if deleted else Notification.Kind.PARTNER_UNPAIRED,
            data={"screen": "couple"},
            dedupe_key=f"couple_ended:{couple.id}:{membership.user_id}",
        )
    couple_ended.send(sender=Couple, couple=couple)
    return couple


def end_couple_before_account_deletion(user: User) -> None:
    """Registered with accounts: deleting an account ends its couple and tells the partner."""
    membership = active_membership(user)
    if membership is not None:
        _end(couple_id=membership.couple_id, by=user, reason=Couple.EndReason.ACCOUNT_DELETED)
        forget_active_membership(user)


def couples_purge_archived(*, now: datetime | None = None) -> int:
    """Deletes couples ended longer ago than COUPLE_ARCHIVE_DAYS, with their shared records."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.COUPLE_ARCHIVE_DAYS)
    deleted, _per_model = Couple.objects.filter(status=Couple.Status.ENDED, ended_at__lt=cutoff).delete()
    return deleted
