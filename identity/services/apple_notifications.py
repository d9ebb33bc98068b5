"""Apple's server-to-server notifications for Sign in with Apple.

https://developer.apple.com/documentation/sign_in_with_apple/processing_changes_for_sign_in_with_apple_accounts

- `email-disabled`: the private relay stops forwarding. The identity records it and, if the relay
  address is the account's e-mail, that address is no longer verified (no reset link goes where
  nobody reads).
- `email-enabled`: forwarding is back; recorded, and the relay address is verified again when it is
  the account's e-mail.
- `consent-revoked`: the user stopped using Sign in with Apple with our app. The identity is
  unlinked and every session ends.
- `account-delete`: the Apple ID is gone. The identity is unlinked and every session ends; an
  account that had no other way to sign in is deleted like `DELETE me` (couple ended, partner told).

Events are applied in `event_time` order per identity: one older than the last applied changes
nothing, so retries and out-of-order deliveries converge. An unknown subject or event type is
acknowledged and ignored (Apple would otherwise retry it).
"""

import logging
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from accounts.services.account import account_erase
from accounts.services.sessions import sessions_revoke_all
from identity.models import SocialIdentity
from identity.tokens import APPLE, AppleEvent

logger = logging.getLogger(__name__)

EMAIL_DISABLED = "email-disabled"
EMAIL_ENABLED = "email-enabled"
CONSENT_REVOKED = "consent-revoked"
ACCOUNT_DELETE = "account-delete"


def _event_time(event: AppleEvent) -> datetime:
    if event.event_time_ms is None:
        return timezone.now()
    try:
        return datetime.fromtimestamp(event.event_time_ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return timezone.now()


@transaction.atomic
def apple_notification_apply(*, event: AppleEvent) -> str:
    """Applies one verified event; returns what happened (`applied`, `stale` or `ignored`)."""
    identity = (
        SocialIdentity.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(provider=APPLE, subject=event.subject)
        .first()
    )
    if identity is None or event.type not in {EMAIL_DISABLED, EMAIL_ENABLED, CONSENT_REVOKED, ACCOUNT_DELETE}:
        logger.info("apple notification ignored", extra={"event_type": event.type})
        return "ignored"
    at = _event_time(event)
    if identity.last_event_at is not None and at <= identity.last_event_at:
        return "stale"
    user = identity.user
    if event.type in {EMAIL_DISABLED, EMAIL_ENABLED}:
        forwarding = event.type == EMAIL_ENABLED
        identity.email_forwarding, identity.last_event_at = forwarding, at
        identity.save(update_fields=["email_forwarding", "last_event_at"])
        relay = event.email or identity.email
        if relay and relay == user.email:
            verified_at = (user.email_verified_at or timezone.now()) if forwarding and identity.email_verified else None
            if verified_at != user.email_verified_at:
                user.email_verified_at = verified_at
                user.save(update_fields=["email_verified_at"])
        return "applied"
    identity.delete()
    sessions_revoke_all(user=user)
    if event.type == ACCOUNT_DELETE:
        no_other_way_in = not user.has_usable_password() and not SocialIdentity.objects.filter(user=user).exists()
        if no_other_way_in:
            account_erase(user=user)
    logger.info("apple notification applied", extra={"event_type": event.type})
    return "applied"
