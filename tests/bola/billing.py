"""BOLA matrix entries of premium and purchases (billing)."""

from datetime import timedelta

from django.utils import timezone

from billing.models import Subscription
from tests.bola.spec import Route, World


def populate(world: World) -> None:
    now = timezone.now()
    world.objects["subscription"] = Subscription.objects.create(
        user=world.me,
        store=Subscription.Store.APP_STORE,
        store_id="victim-original-transaction",
        product_id="premium_monthly",
        status=Subscription.Status.ACTIVE,
        expires_at=now + timedelta(days=20),
        access_until=now + timedelta(days=20),
        will_renew=True,
        state_signed_at=now,
    )


ROUTES: dict[str, Route] = {
    # Per user: an attacker reads their own (none), never the victims' premium or subscription.
    "me-entitlements": Route(("GET",)),
    # A purchase names no stored object: a forged transaction is refused; the victims' one can't be claimed
    # without Apple's signature over it.
    "me-purchases": Route(("POST",), bodies={"POST": {"store": "app_store", "signed_transaction": "a.b.c"}}),
    # Webhooks: public; only a store's signature makes them act.
    "billing-app-store-notifications": Route(("POST",), public=True, bodies={"POST": {"signedPayload": "a.b.c"}}),
    "billing-play-notifications": Route(
        ("POST",), public=True, bodies={"POST": {"message": {"data": "e30=", "messageId": "1"}}}
    ),
}
