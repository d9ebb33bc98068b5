"""A couple's ritual with its recurrence, and the completions each partner logs per occurrence."""

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.validators import validate_time_zone
from config.ids import new_id
from couples.scoping import CoupleOwned
from rituals.models.choices import Category

if TYPE_CHECKING:
    from rituals.streaks import Checkpoint


class Ritual(CoupleOwned):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"

    # Clients may create rituals offline with their own UUID.
    # No index of its own: ritual_couple_live starts with it (one index less per insert).
    couple = models.ForeignKey("couples.Couple", on_delete=models.CASCADE, related_name="+", db_index=False)
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    template = models.ForeignKey(
        "rituals.RitualTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Shared record: it stays with the couple (archived) if its creator deletes their account.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=30, choices=Category.choices)
    # RFC 5545 RRULE without DTSTART, of the subset rituals.recurrence accepts.
    rrule = models.CharField(max_length=200)
    # The first local date the ritual may happen on; occurrences are at `local_time` in `time_zone`.
    start_date = models.DateField()
    local_time = models.TimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    duration_minutes = models.PositiveSmallIntegerField(default=10, validators=[MaxValueValidator(24 * 60)])
    reminder_offset_minutes = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(7 * 24 * 60)])
    is_joint = models.BooleanField(default=True, help_text="Done together, or by each partner on their own.")
    requires_both_confirmation = models.BooleanField(
        default=False, help_text="An occurrence counts only when both partners confirmed it."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    grace_days = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(7)],
        help_text="Missed occurrences within this many days keep a streak.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The streak checkpoint (rituals.streaks.Checkpoint), derived from the completions and kept by
    # rituals.services.streaks in the transactions that change them, so reads need no history.
    # Rows written outside the ORM (bulk loads) start invalid: reads then walk the history instead.
    streak_valid = models.BooleanField(default=True, db_default=False)
    streak_last_done = models.DateField(null=True, blank=True)
    streak_running = models.PositiveIntegerField(default=0, db_default=0)
    streak_longest = models.PositiveIntegerField(default=0, db_default=0)
    streak_next_due = models.DateField(null=True, blank=True)
    streak_run_start = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["couple", "deleted_at", "-created_at"], name="ritual_couple_live")]
        constraints = [
            models.CheckConstraint(
                condition=Q(requires_both_confirmation=False) | Q(is_joint=True),
                name="ritual_both_confirmation_only_when_joint",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def counts(self, partners: int) -> bool:
        """Whether an occurrence completed by this many partners counts for the couple's streak."""
        return partners >= 2 if self.requires_both_confirmation else partners >= 1

    @property
    def streak_checkpoint(self) -> "Checkpoint | None":
        """The stored checkpoint, or None when it is not valid (the history must be walked)."""
        from rituals.streaks import Checkpoint  # not at module level: mypy then types Ritual pks as int

        if not self.streak_valid:
            return None
        return Checkpoint(
            self.streak_last_done, self.streak_running, self.streak_longest, self.streak_next_due, self.streak_run_start
        )

    @streak_checkpoint.setter
    def streak_checkpoint(self, checkpoint: "Checkpoint") -> None:
        self.streak_valid = True
        self.streak_last_done, self.streak_running = checkpoint.last_done, checkpoint.running
        self.streak_longest, self.streak_next_due = checkpoint.longest, checkpoint.next_due
        self.streak_run_start = checkpoint.run_start


STREAK_FIELDS = (
    "streak_valid",
    "streak_last_done",
    "streak_running",
    "streak_longest",
    "streak_next_due",
    "streak_run_start",
)


class Completion(CoupleOwned):
    """One partner's record that an occurrence happened. Unique per (ritual, occurrence, user)."""

    id = models.UUIDField(primary_key=True, default=new_id)  # or the phone's own
    # No index of its own: completion_once_per_occurrence (ritual, occurrence_at, user) serves every
    # lookup by ritual, or by ritual and occurrence (one index less per insert).
    ritual = models.ForeignKey(Ritual, on_delete=models.CASCADE, related_name="completions", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions")
    # The UTC instant the occurrence was scheduled for (as returned by /occurrences).
    occurrence_at = models.DateTimeField()
    note = models.TextField(blank=True, max_length=1000)
    connection_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ritual", "occurrence_at", "user"], name="completion_once_per_occurrence"),
            models.CheckConstraint(
                condition=Q(connection_rating__isnull=True) | Q(connection_rating__gte=1, connection_rating__lte=5),
                name="completion_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} did {self.ritual_id} at {self.occurrence_at:%Y-%m-%d %H:%M}"
