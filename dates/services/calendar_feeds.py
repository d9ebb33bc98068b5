"""Private calendar feeds: one secret URL per user, shown once, stored as a hash, revocable."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from dates.models import CalendarFeed


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, user: User, discreet: bool = False) -> str:
    """A new feed token for the user (any previous URL stops working); only its hash is kept."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": token_hash(token), "discreet": discreet, "created_at": timezone.now()}
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()
