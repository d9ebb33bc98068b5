"""Writes on nudges: sending a bid for connection, the partner seeing it and turning toward it."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from accounts.models import User
from config.api.errors import ApplicationError, ConflictError
from config.api.sql import CompiledInsert, CompiledQuery
from couples.scoping import NotPairedError, require_active_couple
from couples.selectors import partner_of
from messaging.catalog import notification_key
from notifications.models import Notification
from notifications.services import notify
from rituals.models import Nudge
from sync.changes import stamped_once
from sync.receivers import touch, touch_created, touch_ids

# An appreciation is a few sentences; the other kinds carry at most a short line ("miss you!").
APPRECIATION_MAX_LENGTH = 500
SHORT_MESSAGE_MAX_LENGTH = 140
RESPONSE_TEXT_MAX_LENGTH = 500


class NudgeQuotaExceededError(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "nudge_quota_exceeded"
    message = _("You have sent today's nudges. You can send more after midnight.")


class NotRecipientError(ConflictError):
    code = "not_recipient"
    message = _("Only the partner who received this nudge can do that.")


class AlreadyRespondedError(ConflictError):
    code = "already_responded"
    message = _("This nudge already has a response.")


class NudgeIdTakenError(ConflictError):
    code = "nudge_id_taken"
    message = _("This id belongs to another nudge; generate a new one.")


def daily_quota() -> int:
    return int(getattr(settings, "NUDGE_DAILY_QUOTA", 20))


def _local_day_bounds(now: datetime, time_zone: str) -> tuple[datetime, datetime]:
    """Start of the local day containing `now`, and the start of the next one, in `time_zone`.

    A local midnight skipped by a DST jump (some zones switch at 00:00) resolves, with fold=0, to
    the instant of the jump: still the first moment of that day.
    """
    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    start = datetime(today.year, today.month, today.day, tzinfo=zone)
    tomorrow = today + timedelta(days=1)
    end = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=zone)
    return start, end


def _validate_message(kind: str, message: str) -> str:
    if kind not in Nudge.Kind.values:
        raise ValidationError({"kind": ValidationError(_("Unknown nudge kind."), code="invalid_choice")})
    message = message.strip()
    if kind == Nudge.Kind.APPRECIATION:
        if not message:
            raise ValidationError(
                {"message": ValidationError(_("Say what you appreciate: the message is required."), code="required")}
            )
        limit = APPRECIATION_MAX_LENGTH
    else:
        limit = SHORT_MESSAGE_MAX_LENGTH
    if len(message) > limit:
        raise ValidationError(
            {
                "message": ValidationError(
                    gettext("Keep it to %(limit)s characters for this kind.") % {"limit": limit}, code="max_length"
                )
            }
        )
    return message


# Every send runs these, each compiled once (config.api.sql).
_SENDER_LOCKED = CompiledQuery(
    lambda user_id: User.objects.select_for_update(no_key=True).filter(pk=user_id).values_list("time_zone")
)
_SENT_BETWEEN = CompiledQuery(
    lambda sender_id, start, end: (
        Nudge.objects.filter(sender_id=sender_id, created_at__gte=start, created_at__lt=end)
        .values("sender_id")
        .annotate(sent=Count("id"))
        .values_list("sent")
        .order_by()
    )
)
_INSERT = CompiledInsert(Nudge)


@dataclass(frozen=True)
class NudgeSent:
    nudge: Nudge
    created: bool  # False when the client replayed an id it had already sent


@transaction.atomic
@stamped_once
def nudge_send(*, sender: User, kind: str, message: str = "", id: UUID | None = None) -> NudgeSent:
    """Sends a nudge to the sender's partner, within the sender's daily quota.

    The quota counts the sender's nudges since their own local midnight (User.time_zone), and is
    race-safe: the sender's user row is locked first, so two sends at the same instant are counted
    one after the other and never pass the quota together. The lock is FOR NO KEY UPDATE: it
    serializes the sender's own sends but not the foreign-key checks on that row (the partner's
    nudge, completion or notification pointing at the sender), which FOR UPDATE would block and
    deadlock against (lock order: docs/architecture.md, "Lock order"). A client-generated `id` makes
    the send idempotent: replaying it returns the nudge already sent, without counting against the quota.
    """
    couple = require_active_couple(sender)
    message = _validate_message(kind, message)
    # Serializes this sender's sends (quota count, idempotent replays); the fresh time zone comes along.
    ((sender_zone,),) = _SENDER_LOCKED.rows(sender.pk)
    if id is not None:
        existing = Nudge.objects.filter(pk=id).first()
        if existing is not None:
            if existing.sender_id != sender.pk or existing.couple_id != couple.pk:
                raise NudgeIdTakenError()
            return NudgeSent(nudge=existing, created=False)

    now = timezone.now()
    day_start, next_day = _local_day_bounds(now, sender_zone)
    quota = daily_quota()
    sent = _SENT_BETWEEN.rows(sender.pk, day_start, next_day)
    if (sent[0][0] if sent else 0) >= quota:
        raise NudgeQuotaExceededError(
            gettext("You have sent your %(quota)s nudges for today. You can send more after midnight.")
            % {"quota": quota},
            extra={"retry_after": max(1, math.ceil((next_day - now).total_seconds()))},
        )

    recipient = partner_of(user=sender)
    if recipient is None:  # a couple always has two members; this guards a half-deleted account
        raise NotPairedError()
    nudge = Nudge(
        couple=couple,
        sender=sender,
        recipient=recipient,
        kind=kind,
        message=message,
        created_at=now,
        # delivered_at stays empty until the push provider has accepted the push to the partner's
        # phone (nudge_mark_delivered, on notifications' pushes_sent signal): "delivered" is verified.
    )
    if id is not None:
        nudge.id = id
    _INSERT.insert([nudge])
    touch_created([nudge])  # the INSERT sends no post_save: stamped for sync as a save would be
    notify(
        recipient=recipient,
        kind=Notification.Kind.NUDGE,
        # The message's variant is the nudge's kind (messaging/catalog.py).
        message=notification_key(Notification.Kind.NUDGE, kind),
        params={"partner_name": sender.display_name, "message": message},
        data={"screen": "nudges", "nudge_id": str(nudge.id)},
        dedupe_key=f"nudge:{nudge.id}",
    )
    return NudgeSent(nudge=nudge, created=True)


def _require_recipient(nudge: Nudge, user: User) -> None:
    if nudge.recipient_id != user.pk:
        raise NotRecipientError()


@transaction.atomic
def nudge_mark_seen(*, nudge: Nudge, user: User) -> Nudge:
    """The recipient saw the nudge. Sets `seen_at` once; later calls keep the first time."""
    _require_recipient(nudge, user)
    now = timezone.now()
    # An atomic claim: two devices of the recipient marking it at once leave the first time.
    if Nudge.objects.filter(pk=nudge.pk, seen_at__isnull=True).update(seen_at=now):
        nudge.seen_at = now
        touch(nudge)  # an UPDATE sends no signal: tell sync explicitly
    elif nudge.seen_at is None:
        nudge.refresh_from_db(fields=["seen_at"])
    return nudge


def _validate_response(response: str, text: str) -> str:
    if response not in Nudge.Response.values:
        raise ValidationError({"response": ValidationError(_("Unknown response."), code="invalid_choice")})
    text = text.strip()
    if response == Nudge.Response.TEXT:
        if not text:
            raise ValidationError({"text": ValidationError(_("Write your reply."), code="required")})
        if len(text) > RESPONSE_TEXT_MAX_LENGTH:
            raise ValidationError(
                {
                    "text": ValidationError(
                        gettext("Keep it to %(limit)s characters.") % {"limit": RESPONSE_TEXT_MAX_LENGTH},
                        code="max_length",
                    )
                }
            )
    elif text:
        # Rather than silently dropping words the partner typed.
        raise ValidationError({"text": ValidationError(_("Only a text reply carries text."), code="not_allowed")})
    return text


@transaction.atomic
@stamped_once
def nudge_respond(*, nudge: Nudge, user: User, response: str, text: str = "") -> Nudge:
    """The recipient turns toward the nudge: a heart, a hug back or a text reply, once.

    Replaying the same response is a no-op (an offline phone retrying); a different second response
    is a 409. Responding marks the nudge seen, and tells the sender.
    """
    _require_recipient(nudge, user)
    text = _validate_response(response, text)
    # Locked so two devices of the recipient responding at once give one response and one 409.
    nudge = Nudge.objects.select_related("sender").select_for_update(of=("self",)).get(pk=nudge.pk)
    if nudge.response:
        if nudge.response == response and nudge.response_text == text:
            return nudge
        raise AlreadyRespondedError()
    now = timezone.now()
    nudge.response = response
    nudge.response_text = text
    nudge.responded_at = now
    nudge.seen_at = nudge.seen_at or now
    nudge.save(update_fields=["response", "response_text", "responded_at", "seen_at"])
    notify(
        recipient=nudge.sender,
        kind=Notification.Kind.NUDGE_RESPONSE,
        message=notification_key(Notification.Kind.NUDGE_RESPONSE, response),
        params={"partner_name": user.display_name, "message": text},
        data={"screen": "nudges", "nudge_id": str(nudge.id)},
        dedupe_key=f"nudge_response:{nudge.id}",
    )
    return nudge


def nudges_mark_delivered(*, nudge_ids: list[str]) -> int:
    """Records that the pushes of these nudges reached the partner's phone (first time only)."""
    with transaction.atomic():
        pending = list(Nudge.objects.filter(id__in=nudge_ids, delivered_at__isnull=True).values_list("id", flat=True))
        Nudge.objects.filter(id__in=pending).update(delivered_at=timezone.now())
        touch_ids(Nudge, pending)
    return len(pending)
