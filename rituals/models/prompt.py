"""The couple's prompt of the day and each partner's answer (revealed when both answered)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from couples.scoping import CoupleOwned


class DailyPrompt(CoupleOwned):
    # No index of its own: daily_prompt_once_per_couple_day starts with it (one index less per insert).
    couple = models.ForeignKey("couples.Couple", on_delete=models.CASCADE, related_name="+", db_index=False)
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    # The couple-day, in the couple's home time zone (Couple.time_zone).
    day = models.DateField()
    prompt = models.ForeignKey("rituals.Prompt", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["couple", "day"], name="daily_prompt_once_per_couple_day")]

    def __str__(self) -> str:
        return f"{self.couple_id} on {self.day}"


class PromptAnswer(CoupleOwned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    daily_prompt = models.ForeignKey(DailyPrompt, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prompt_answers")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["daily_prompt", "user"], name="prompt_answer_once_per_user")]

    def __str__(self) -> str:
        return f"answer by {self.user_id}"
