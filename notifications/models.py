import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.ids import new_id


class Notification(models.Model):
    """Something that happened for a user: their in-app inbox entry AND the outbox row of its push.

    The inbox shows every row at once. The push follows its own state machine:
    pending → sending → sent | failed, with `held` (quiet hours: goes out at `push_not_before`) and
    `skipped` (push off, kind muted, no device, or a reminder that was missed during an outage).
    """

    class Kind(models.TextChoices):
        INVITE_ACCEPTED = "invite_accepted", "Invite accepted"
        PARTNER_UNPAIRED = "partner_unpaired", "Partner unpaired"
        PARTNER_DELETED_ACCOUNT = "partner_deleted_account", "Partner deleted their account"
        RITUAL_REMINDER = "ritual_reminder", "Ritual reminder"
        RITUAL_COMPLETED_BY_PARTNER = "ritual_completed_by_partner", "Partner completed a ritual"
        GOAL_PROPOSED = "goal_proposed", "Goal proposed"
        GOAL_ACCEPTED = "goal_accepted", "Goal accepted"
        GOAL_DECLINED = "goal_declined", "Goal declined"
        GOAL_WITHDRAWN = "goal_withdrawn", "Goal withdrawn"
        GOAL_COMPLETED = "goal_completed", "Goal completed"
        GOAL_ABANDONED = "goal_abandoned", "Goal abandoned"
        NUDGE = "nudge", "Nudge from partner"
        NUDGE_RESPONSE = "nudge_response", "Partner responded to a nudge"
        PROMPT_ANSWERED = "prompt_answered", "Partner answered the daily prompt"
        # Silent: a data-only push telling the app to read GET me/entitlements again (billing).
        ENTITLEMENT_CHANGED = "entitlement_changed", "Premium changed (silent)"
        KNOW_ME_ANSWERED = "know_me_answered", "Partner answered a know-me quiz"
        WEEKLY_REPORT_READY = "weekly_report_ready", "Weekly report ready"
        MILESTONE = "milestone", "Milestone"
        DATE_PROPOSED = "date_proposed", "Date proposed"
        DATE_COUNTERED = "date_countered", "Date counter-offer"
        DATE_ACCEPTED = "date_accepted", "Date accepted"
        DATE_DECLINED = "date_declined", "Date declined"
        DATE_CANCELLED = "date_cancelled", "Date cancelled or withdrawn"
        DATE_REMINDER = "date_reminder", "Date reminder"
        DATE_MEMORY_PROMPT = "date_memory_prompt", "Add a memory of your date"

    class PushState(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        HELD = "held", "Held (quiet hours)"
        SKIPPED = "skipped", "Skipped"

    # Kinds pushed as data-only ("silent") messages: nothing is shown, so quiet hours, push on/off and
    # muted kinds do not apply, and they are not in the inbox (notifications.selectors.inbox_of).
    SILENT_KINDS = (Kind.ENTITLEMENT_CHANGED,)

    # Time-ordered (version 7): every write that notifies inserts one, at the end of the primary key's
    # index rather than on a random page of it (fewer pages to read and to log per insert).
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # No index of its own: notification_recipient_created starts with it (one index less per insert).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=500, blank=True)
    # The message this was written with (messaging/catalog.py) and its placeholder values: the push
    # is rendered again from them in the recipient's language when it is sent. Empty on rows older
    # than localization, whose push is their stored title and body.
    message_key = models.CharField(max_length=100, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    # Deep-link payload for the app, e.g. {"screen": "couple"}.
    data = models.JSONField(default=dict, blank=True)
    # The same event never produces two notifications (a retried request, a replayed task, two
    # dispatchers): e.g. "reminder:<ritual>:<occurrence>:<recipient>".
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    push_state = models.CharField(max_length=10, choices=PushState.choices, default=PushState.PENDING)
    push_attempts = models.PositiveSmallIntegerField(default=0)
    push_last_error = models.CharField(max_length=300, blank=True)
    # Not sent before this instant: the end of quiet hours (held) or the next retry (pending).
    push_not_before = models.DateTimeField(null=True, blank=True)
    # A worker that claimed the row owns it until then; past it the sweeper sends it again.
    push_lease_until = models.DateTimeField(null=True, blank=True)
    push_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_created"),
            # The retention purge walks the oldest rows first (notifications.retention).
            models.Index(fields=["created_at"], name="notification_created"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            # The push pump and the sweeper only ever look at rows that still have work to do.
            models.Index(
                fields=["push_state", "push_not_before"],
                condition=Q(push_state__in=["pending", "held", "sending"]),
                name="notification_push_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationPreference(models.Model):
    """How and when a user wants pushes. The inbox always gets everything."""

    class LockScreen(models.TextChoices):
        FULL = "full", "Show the full text"
        PARTNER = "partner", "Only “Your partner sent you something”"
        GENERIC = "generic", "Only “You have a new notification”"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_preferences"
    )
    push_enabled = models.BooleanField(default=True)
    # Kinds (Notification.Kind values) the user does not want pushed.
    muted_kinds = models.JSONField(default=list, blank=True)
    # Local times in the user's zone; a window may cross midnight (22:00-07:00). Both or neither.
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    lock_screen = models.CharField(max_length=10, choices=LockScreen.choices, default=LockScreen.FULL)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                | Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False),
                name="quiet_hours_both_or_neither",
            )
        ]

    def __str__(self) -> str:
        return f"notification preferences of {self.user_id}"


class ReminderSchedule(models.Model):
    """When the next reminder of one subject fires: a live ritual (its next occurrence) or an
    accepted date (the day before, one hour before, then the memory prompt two hours after it).

    One table and one dispatcher for every kind: it claims due rows (`fire_at <= now`) with
    SELECT … FOR UPDATE SKIP LOCKED, writes one notification per partner under a dedupe key naming
    (kind, subject, occurrence, stage, recipient), and moves the row on to the subject's next
    reminder (notifications/reminders.py). Pausing or deleting a ritual, moving or cancelling a
    date, or ending the couple deletes or moves the row: no stale reminder can fire after that.
    """

    class Kind(models.TextChoices):
        RITUAL = "ritual", "Ritual"
        DATE = "date", "Date"

    id = models.BigAutoField(primary_key=True)
    # Database defaults too: a plain INSERT of a ritual's schedule (bench/load's seed) stays valid.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RITUAL, db_default=Kind.RITUAL)
    # Exactly one subject, by kind; deleting it deletes its schedule.
    ritual = models.OneToOneField(
        "rituals.Ritual", on_delete=models.CASCADE, null=True, blank=True, related_name="reminder_schedule"
    )
    date_plan = models.OneToOneField(
        "dates.DatePlan", on_delete=models.CASCADE, null=True, blank=True, related_name="reminder_schedule"
    )
    # Which of a date's reminders is next (`day_before`, `hour_before`, `memory_prompt`); "" for rituals.
    stage = models.CharField(max_length=20, blank=True, default="", db_default="")
    # The occurrence this reminder is for (UTC instant), and when to send it.
    occurrence_at = models.DateTimeField()
    fire_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["fire_at"], name="reminder_fire_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="ritual", ritual__isnull=False, date_plan__isnull=True)
                | Q(kind="date", ritual__isnull=True, date_plan__isnull=False),
                name="reminder_one_subject_of_its_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder of {self.subject_id} at {self.fire_at:%Y-%m-%d %H:%M}"

    @property
    def subject_id(self) -> object:
        return self.ritual_id if self.kind == self.Kind.RITUAL else self.date_plan_id


class OutboxMessage(models.Model):
    """A Celery task a request started, written in the request's own transaction (transactional outbox).

    The task is published right after COMMIT; if that fails (the broker is down) or the message is
    lost, `notifications.relay_outbox` publishes it again once `next_attempt_at` passes. The task
    claims the row before working (`claimed_until`, a lease) and stamps `done_at` after, so a
    message published twice runs once. notifications/outbox.py.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Registered Celery task name; its keyword arguments (JSON), plus `outbox_id` added on publish.
    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # When the relay may publish it (again): later than the fast path after commit needs.
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    # A worker runs the task until then; a claim that expired belongs to a dead worker.
    claimed_until = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The relay's scan: what is still to do, by due time.
            models.Index(fields=["next_attempt_at"], name="outbox_due", condition=Q(done_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.id}"
