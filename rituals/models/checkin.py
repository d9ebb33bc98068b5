"""Check-ins: how each partner feels. A personal record: it stays with its author after unpair."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.ids import new_id

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class CheckIn(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id)  # or the phone's own
    # Neither foreign key has an index of its own: checkin_user_created and checkin_couple_shared_date
    # start with them (two indexes less per insert).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins", db_index=False
    )
    # The couple the author was in; SET_NULL because the record belongs to its author, not the couple.
    couple = models.ForeignKey(
        "couples.Couple", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    mood = models.PositiveSmallIntegerField(validators=SCORE)
    connection = models.PositiveSmallIntegerField(validators=SCORE)
    note = models.TextField(blank=True, max_length=2000)
    # Private by default: only a shared check-in (and its note) reaches the partner.
    is_shared = models.BooleanField(default=False)
    # The author's local date when they checked in, for weekly summaries in their own week.
    local_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(mood__gte=1, mood__lte=5), name="checkin_mood_1_to_5"),
            models.CheckConstraint(condition=Q(connection__gte=1, connection__lte=5), name="checkin_connection_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="checkin_user_created"),
            models.Index(fields=["couple", "is_shared", "local_date"], name="checkin_couple_shared_date"),
        ]

    def __str__(self) -> str:
        return f"check-in {self.id} by {self.user_id}"
