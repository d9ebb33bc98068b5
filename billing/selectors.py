"""Reads of the billing app: who has premium, from where, until when (docs/billing.md).

Premium is never stored: it is read here from the subscriptions of the user and of their current
partner, so it follows unpairing, refunds and expiry at once, and there is one rule for it.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from billing.models import Subscription
from couples.selectors import partner_of

MANAGE_URLS = {
    Subscription.Store.APP_STORE: "https://apps.apple.com/account/subscriptions",
    Subscription.Store.GOOGLE_PLAY: "https://play.google.com/store/account/subscriptions",
}
CANCEL_STEPS = {
    Subscription.Store.APP_STORE: [
        _("Open the Settings app on your iPhone and tap your name."),
        _("Tap Subscriptions, then this app's subscription."),
        _("Tap Cancel Subscription. You keep premium until the end of the period you paid for."),
    ],
    Subscription.Store.GOOGLE_PLAY: [
        _("Open the Google Play Store app and tap your profile icon."),
        _("Tap Payments & subscriptions, then Subscriptions, then this app's subscription."),
        _("Tap Cancel subscription. You keep premium until the end of the period you paid for."),
    ],
}


@dataclass(frozen=True)
class StoreSubscriptionView:
    store: str
    product_id: str
    status: str
    active: bool
    until: datetime | None
    will_renew: bool
    manage_url: str
    cancel_steps: list[str]


@dataclass(frozen=True)
class DuplicateView:
    """Both partners pay: told to the later purchaser, with the steps to cancel in their store."""

    partner_until: datetime | None
    subscription: StoreSubscriptionView
    message: str


@dataclass(frozen=True)
class EntitlementView:
    premium: bool
    source: str | None  # "own" | "partner" | None
    until: datetime | None
    will_renew: bool
    in_grace_period: bool
    subscription: StoreSubscriptionView | None  # the user's own, active or most recent
    duplicate: DuplicateView | None


def _manage_url(subscription: Subscription) -> str:
    base = MANAGE_URLS[Subscription.Store(subscription.store)]
    if subscription.store == Subscription.Store.GOOGLE_PLAY and subscription.product_id:
        return f"{base}?sku={subscription.product_id}&package={settings.PLAY_PACKAGE_NAME}"
    return base


def _view(subscription: Subscription, at: datetime) -> StoreSubscriptionView:
    active = subscription.gives_access(at)
    status = subscription.status
    if not active and status in Subscription.ACCESS_STATUSES:
        status = Subscription.Status.EXPIRED  # the store has not told us yet; the date has passed
    return StoreSubscriptionView(
        store=subscription.store,
        product_id=subscription.product_id,
        status=status,
        active=active,
        until=subscription.access_until,
        will_renew=subscription.will_renew and active,
        manage_url=_manage_url(subscription),
        cancel_steps=cancel_steps(subscription.store),
    )


def cancel_steps(store: str) -> list[str]:
    """How to cancel a subscription of `store` in that store, in the active language: the one text of
    the steps, for `GET me/entitlements` (`subscription`, `duplicate`) and the account-deletion e-mail."""
    return [str(step) for step in CANCEL_STEPS[Subscription.Store(store)]]


def _best(subscriptions: list[Subscription], at: datetime) -> Subscription | None:
    """The active subscription lasting longest; else the most recently changed one."""
    active = [s for s in subscriptions if s.gives_access(at)]
    if active:
        return max(active, key=lambda s: (s.access_until, s.will_renew))
    return max(subscriptions, key=lambda s: s.state_signed_at, default=None)


def _later_purchaser(mine: Subscription, theirs: Subscription) -> bool:
    """True when `mine` was bought after `theirs` (ties: the larger user id is 'later', so exactly
    one of the two partners is told)."""
    return (mine.started_at, str(mine.user_id)) > (theirs.started_at, str(theirs.user_id))


def entitlement_of(*, user: User, at: datetime | None = None) -> EntitlementView:
    """Premium of `user`: on while they or their current partner have an active subscription."""
    at = at or timezone.now()
    partner = partner_of(user=user)
    ids = [user.pk] if partner is None else [user.pk, partner.pk]
    rows = list(Subscription.objects.filter(user_id__in=ids).order_by("created_at"))
    own = _best([s for s in rows if s.user_id == user.pk], at)
    theirs = _best([s for s in rows if s.user_id != user.pk], at)
    own_active = own is not None and own.gives_access(at)
    theirs_active = theirs is not None and theirs.gives_access(at)
    source = "own" if own_active else "partner" if theirs_active else None
    chosen = own if own_active else theirs if theirs_active else None
    duplicate = None
    if own_active and theirs_active and own is not None and theirs is not None and _later_purchaser(own, theirs):
        duplicate = DuplicateView(
            partner_until=theirs.access_until,
            subscription=_view(own, at),
            message=str(
                _(
                    "Your partner already pays for premium, which you share. Cancel your own subscription "
                    "in your store so you are not charged twice."
                )
            ),
        )
    return EntitlementView(
        premium=chosen is not None,
        source=source,
        until=chosen.access_until if chosen else None,
        will_renew=bool(chosen and chosen.will_renew),
        in_grace_period=bool(chosen and chosen.status == Subscription.Status.GRACE_PERIOD),
        subscription=_view(own, at) if own is not None else None,
        duplicate=duplicate,
    )


def own_active_subscription(*, user: User, at: datetime | None = None) -> StoreSubscriptionView | None:
    """The user's own subscription that gives access now (the one lasting longest), or None: premium
    inherited from the partner is not theirs to cancel. One query."""
    at = at or timezone.now()
    own = _best(list(Subscription.objects.filter(user=user)), at)
    return _view(own, at) if own is not None and own.gives_access(at) else None


def has_premium(*, user: User) -> bool:
    """`entitlement_of(user).premium` (the `Premium` permission): the same rule, the same queries."""
    return entitlement_of(user=user).premium
