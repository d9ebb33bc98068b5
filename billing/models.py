"""Store subscriptions and the store events that told us about them (docs/billing.md)."""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class Subscription(models.Model):
    """One store subscription (an App Store original transaction, a Play purchase token), in the
    latest state a store signed for it. Premium is never stored: it is read from these rows."""

    class Store(models.TextChoices):
        APP_STORE = "app_store", "App Store"
        GOOGLE_PLAY = "google_play", "Google Play"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        GRACE_PERIOD = "grace_period", "Grace period (payment failed, access kept)"
        BILLING_RETRY = "billing_retry", "Billing retry (payment failed, no access)"
        ON_HOLD = "on_hold", "On hold"
        PAUSED = "paused", "Paused"
        PENDING = "pending", "Pending payment"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Refunded or revoked"

    ACCESS_STATUSES = (Status.ACTIVE, Status.GRACE_PERIOD)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The buyer. Null while the store told us of a purchase before the app did (and named no user).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    store = models.CharField(max_length=20, choices=Store.choices)
    # The App Store's originalTransactionId, or the Play purchase token.
    store_id = models.CharField(max_length=1000)
    product_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Premium lasts until then while the status gives access: the expiry, or the grace period's end.
    access_until = models.DateTimeField(null=True, blank=True)
    will_renew = models.BooleanField(default=False)
    # The first purchase of this subscription: decides who is the later purchaser of a couple.
    started_at = models.DateTimeField(default=timezone.now)
    # The instant the store signed (App Store) or reported (Play) this state: a state signed earlier
    # never replaces it, so events arriving out of order end in the same row.
    state_signed_at = models.DateTimeField()
    environment = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "store_id"], name="subscription_store_id_unique")]
        indexes = [models.Index(fields=["user", "access_until"], name="subscription_user_access")]

    def __str__(self) -> str:
        return f"{self.store} {self.product_id} ({self.status})"

    def gives_access(self, at: datetime) -> bool:
        return self.status in self.ACCESS_STATUSES and self.access_until is not None and self.access_until > at


class StoreEvent(models.Model):
    """A store notification we received, once per event id (App Store notificationUUID, Pub/Sub
    messageId): a redelivered notification is recognised and does nothing."""

    id = models.BigAutoField(primary_key=True)
    store = models.CharField(max_length=20, choices=Subscription.Store.choices)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=60)
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # Whether the event's state replaced the stored one (False: older than it, or a replay).
    applied = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "event_id"], name="store_event_id_unique")]
        indexes = [models.Index(fields=["received_at"], name="store_event_received")]

    def __str__(self) -> str:
        return f"{self.store} {self.event_type} {self.event_id}"
