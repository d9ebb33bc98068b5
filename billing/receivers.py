"""Billing's reactions to other apps' events."""

from typing import Any

from django.utils import timezone


def _unpaired(sender: Any, couple: Any, **kwargs: Any) -> None:
    """Inherited premium ends with the couple (no grace, docs/billing.md): both phones are told, if
    either partner had an active subscription (the purchaser keeps theirs)."""
    from billing.models import Subscription
    from billing.services import entitlement_changed
    from couples.models import Membership

    members = [m.user for m in Membership.objects.filter(couple=couple).select_related("user")]
    now = timezone.now()
    if any(s.gives_access(now) for s in Subscription.objects.filter(user__in=members)):
        # The couple has ended: partner_of finds nobody, so each member is told on their own.
        entitlement_changed(users=members, reason=f"couple_ended:{couple.pk}")


def connect() -> None:
    from couples.signals import couple_ended

    couple_ended.connect(_unpaired, weak=False, dispatch_uid="billing.unpaired")
