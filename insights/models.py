"""Weekly connection reports, their delivery, reflections, report preferences and special dates.

Who may see what (docs/privacy.md, "Weekly reports"): a `WeeklyReport` holds only what both partners
may see; a `WeeklyReportPersonal` is its owner's alone; a `WeeklyReflection` is revealed to the
partner once both wrote one (the daily prompt's rule, `rituals.visibility.prompt_answer_revealed`).
"""

import uuid
from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from couples.scoping import CoupleOwned

DEFAULT_DELIVERY_WEEKDAY = 6  # Sunday (Monday is 0, as in date.weekday())
DEFAULT_DELIVERY_TIME = time(19, 0)


class WeeklyReport(CoupleOwned):
    """One couple's finalised week: immutable once written, except a background recompute when
    `algorithm_version` is older than `insights.report.ALGORITHM_VERSION`."""

    # No index of its own: weekly_report_once_per_week starts with it (one index less per insert).
    couple = models.ForeignKey("couples.Couple", on_delete=models.CASCADE, related_name="+", db_index=False)
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    # The Monday of the week in the couple's zone.
    week_start = models.DateField()
    # The instants the week covered: [starts_at, ends_at). A week starts where the couple's previous
    # report ended, so an event is counted in exactly one week even when the couple's zone changed.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64)
    algorithm_version = models.PositiveSmallIntegerField()
    # What both partners may see (the shape of insights.report.SharedPart).
    shared = models.JSONField()
    finalised_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["couple", "week_start"], name="weekly_report_once_per_week")]
        indexes = [models.Index(fields=["algorithm_version"], name="weekly_report_version")]

    def __str__(self) -> str:
        return f"report {self.week_start} of {self.couple_id}"


class WeeklyReportPersonal(models.Model):
    """The part of a report only its owner sees (their own responsiveness, private check-ins, ratings)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="personal_parts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="weekly_personal_once_per_user")]

    def __str__(self) -> str:
        return f"personal part of {self.report_id} for {self.user_id}"


class WeeklyReflection(CoupleOwned):
    """ "One thing I loved about us this week": revealed to the partner once both wrote theirs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="reflections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="weekly_reflection_once_per_user")]

    def __str__(self) -> str:
        return f"reflection on {self.report_id} by {self.user_id}"


class ReportSchedule(models.Model):
    """The couple's next week to finalise and when it is due (the end of that week in its zone).

    The finalise task claims due rows with SKIP LOCKED over the indexed `due_at`, like the reminder
    dispatcher, so it never scans couples whose week is still running."""

    couple = models.OneToOneField("couples.Couple", on_delete=models.CASCADE, primary_key=True, related_name="+")
    week_start = models.DateField()
    starts_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.couple_id}: week of {self.week_start} due {self.due_at:%Y-%m-%d %H:%M}"


class ReportDelivery(models.Model):
    """One partner's `weekly_report_ready` notification for one week, due at their chosen time."""

    id = models.BigAutoField(primary_key=True)
    couple = models.ForeignKey("couples.Couple", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    deliver_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["couple", "week_start", "user"], name="report_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["deliver_at"], condition=models.Q(sent_at__isnull=True), name="report_delivery_due")
        ]

    def __str__(self) -> str:
        return f"report of {self.week_start} for {self.user_id}"


class ReportPreference(models.Model):
    """When a user wants their weekly report: a weekday and a local time in their own zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="report_preference"
    )
    enabled = models.BooleanField(default=True)
    delivery_weekday = models.PositiveSmallIntegerField(
        default=DEFAULT_DELIVERY_WEEKDAY, validators=[MaxValueValidator(6)], help_text="0 = Monday … 6 = Sunday"
    )
    delivery_time = models.TimeField(default=DEFAULT_DELIVERY_TIME)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"report preference of {self.user_id}"


class SpecialDate(CoupleOwned):
    """A date the couple wants remembered every year (a birthday, their first date). Shared."""

    class Kind(models.TextChoices):
        BIRTHDAY = "birthday", "Birthday"
        FIRST_DATE = "first_date", "First date"
        ANNIVERSARY = "anniversary", "Anniversary"
        OTHER = "other", "Other"

    # No index of its own: special_date_couple starts with it (one index less per insert).
    couple = models.ForeignKey("couples.Couple", on_delete=models.CASCADE, related_name="+", db_index=False)
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["couple", "date"], name="special_date_couple")]

    def __str__(self) -> str:
        return self.title
