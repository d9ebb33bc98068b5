"""Celery task that expires Idempotency-Key records. Thin: it calls the service.

Workers register it through `accounts.tasks`, which imports this module.
"""

from celery import shared_task
from django.utils import timezone

from accounts.services.idempotency import idempotency_records_purge


@shared_task(name="accounts.purge_idempotency_records")
def purge_idempotency_records() -> int:
    """Deletes the records older than IDEMPOTENCY_TTL_HOURS; safe to run twice."""
    return idempotency_records_purge(now=timezone.now())
