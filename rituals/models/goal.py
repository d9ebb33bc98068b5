"""Shared goals one partner proposes and the other accepts."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from couples.scoping import CoupleOwned


class Goal(CoupleOwned):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        COMPLETED = "completed", "Completed"
        ABANDONED = "abandoned", "Abandoned"

    # No index of its own: goal_couple_created starts with it (one index less per insert).
    couple = models.ForeignKey("couples.Couple", on_delete=models.CASCADE, related_name="+", db_index=False)
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    target_date = models.DateField(null=True, blank=True)
    rituals = models.ManyToManyField("rituals.Ritual", blank=True, related_name="goals")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped by every change; clients send it back (If-Match) to edit what they saw.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["couple", "-created_at"], name="goal_couple_created")]

    def __str__(self) -> str:
        return self.title
