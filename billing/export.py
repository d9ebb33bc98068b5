"""The billing sections of the personal-data export."""

from collections.abc import Iterable
from typing import Any

from accounts import export
from accounts.models import User
from billing.models import Subscription


def _subscriptions(user: User) -> Iterable[dict[str, Any]]:
    for s in Subscription.objects.filter(user=user).prefetch_related("events").order_by("created_at"):
        yield {
            "id": str(s.id),
            "store": s.store,
            "store_id": s.store_id,
            "product_id": s.product_id,
            "status": s.status,
            "expires_at": s.expires_at.isoformat() if s.expires_at else None,
            "access_until": s.access_until.isoformat() if s.access_until else None,
            "will_renew": s.will_renew,
            "started_at": s.started_at.isoformat(),
            "environment": s.environment,
            "events": [
                {"event_type": e.event_type, "signed_at": e.signed_at.isoformat() if e.signed_at else None}
                for e in sorted(s.events.all(), key=lambda event: event.received_at)
            ],
        }


def register() -> None:
    export.register_section("subscriptions", Subscription, _subscriptions)
