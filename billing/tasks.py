"""Celery tasks of billing. Thin: each calls a service."""

from celery import shared_task
from django.utils import timezone

from billing.services import store_events_purge, subscription_notice_send
from notifications.outbox import outbox_claim


@shared_task(name="billing.purge_store_events")
def purge_store_events() -> int:
    """Deletes store events past their retention; safe to run twice."""
    return store_events_purge(now=timezone.now())


@shared_task(name="billing.send_subscription_notice")
def send_subscription_notice(
    email: str, locale: str, store: str, manage_url: str, outbox_id: str | None = None
) -> None:
    """Mails a deleted account's owner how to cancel their store subscription.

    Started through the outbox by `subscription_notice_before_account_deletion`: the account is gone,
    so the message carries the address; the row forgets it once the mail is sent, and a copy the relay
    published again finds its row done and sends nothing.
    """
    with outbox_claim(outbox_id, forget=True) as claimed:
        if claimed:
            subscription_notice_send(email=email, locale=locale, store=store, manage_url=manage_url)
