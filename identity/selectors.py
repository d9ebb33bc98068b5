"""Reads on identities."""

from django.db.models import QuerySet

from accounts.models import User
from identity.models import SocialIdentity


def identities_of(*, user: User) -> QuerySet[SocialIdentity]:
    """The user's linked sign-ins, oldest first."""
    return SocialIdentity.objects.filter(user=user).order_by("created_at")
