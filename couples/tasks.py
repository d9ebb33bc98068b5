from celery import shared_task

from couples.services import couples_purge_archived


@shared_task(name="couples.purge_archived")
def purge_archived() -> int:
    return couples_purge_archived()
