"""Nudges and appreciations: small bids for connection, and how the partner turned toward them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.ids import new_id
from couples.scoping import CoupleOwned


class Nudge(CoupleOwned):
    class Kind(models.TextChoices):
        HUG = "hug", "Send a hug"
        KISS = "kiss", "Send a kiss"
        THINKING_OF_YOU = "thinking_of_you", "Thinking of you"
        APPRECIATION = "appreciation", "Appreciation"

    class Response(models.TextChoices):
        HEART = "heart", "Heart"
        HUG_BACK = "hug_back", "Hug back"
        TEXT = "text", "Text reply"

    # No index of its own: nudge_couple_created starts with it (one index less per insert).
    couple = models.ForeignKey("couples.Couple", on_delete=models.CASCADE, related_name="+", db_index=False)
    id = models.UUIDField(primary_key=True, default=new_id)  # or the phone's own
    # No index of its own: nudge_sender_created starts with it (one index less per insert).
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges_sent", db_index=False
    )
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges_received")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=10, choices=Response.choices, blank=True)
    response_text = models.CharField(max_length=500, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["couple", "-created_at"], name="nudge_couple_created"),
            models.Index(fields=["sender", "created_at"], name="nudge_sender_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.sender_id}"
