"""A partner's private vote on a date idea."""

from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.api.errors import NotFoundError
from dates.models import DateIdea, DateIdeaVote


@transaction.atomic
def idea_vote(*, user: User, idea_id: UUID, vote: str) -> DateIdeaVote:
    """Likes or passes an idea (idempotent: voting again replaces the vote). Never told to the partner."""
    if not DateIdea.objects.filter(pk=idea_id, is_published=True).exists():
        raise NotFoundError()
    row, _ = DateIdeaVote.objects.update_or_create(
        user=user, idea_id=idea_id, defaults={"vote": vote, "updated_at": timezone.now()}
    )
    return row
