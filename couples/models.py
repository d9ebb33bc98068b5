import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.validators import validate_time_zone


class Couple(models.Model):
    """Two partners. Created whole when an invite is accepted; never reopened once ended."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    class EndReason(models.TextChoices):
        UNPAIRED = "unpaired", "A partner unpaired"
        ACCOUNT_DELETED = "account_deleted", "A partner deleted their account"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Their anniversary, if they want the app to know it.
    together_since = models.DateField(null=True, blank=True)
    # The zone that defines the couple's shared day (the daily prompt). Starts as the inviter's.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True) | Q(status="ended", ended_at__isnull=False),
                name="couple_ended_at_matches_status",
            )
        ]
        indexes = [models.Index(fields=["status", "ended_at"], name="couple_status_ended")]

    def __str__(self) -> str:
        return f"couple {self.id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Membership(models.Model):
    """A user's place in a couple. At most one active membership per user, enforced by Postgres."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(is_active=True), name="one_active_couple_per_user"),
            models.UniqueConstraint(fields=["couple", "user"], name="membership_unique_user_per_couple"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.couple_id}"


class Invite(models.Model):
    """A single-use code one user gives another to pair up."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invites_sent")
    # Stored without the display dash: 8 characters of couples.codes.ALPHABET.
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The couple this invite created, once accepted.
    couple = models.ForeignKey(Couple, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["inviter", "-created_at"], name="invite_inviter_created")]

    def __str__(self) -> str:
        return f"invite {self.id} by {self.inviter_id}"

    def status_at(self, now: datetime) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= now:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())
