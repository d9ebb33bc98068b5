"""Celery tasks of billing. Thin: each calls a service."""

from celery import shared_task
from django.utils import timezone

from billing.services import store_events_purge


@shared_task(name="billing.purge_store_events")
def purge_store_events() -> int:
    """Deletes store events past their retention; safe to run twice."""
    return store_events_purge(now=timezone.now())
