"""Celery tasks of the insights app: thin, safe to run twice."""

from celery import shared_task

from insights import milestones, services


@shared_task(name="insights.finalise_reports")
def finalise_reports() -> int:
    """Finalises the couple-weeks that ended (SKIP LOCKED batches: an overlapping run takes others)."""
    return services.reports_finalise_due()


@shared_task(name="insights.deliver_reports")
def deliver_reports() -> int:
    """Sends the `weekly_report_ready` notifications whose time came, batch after batch."""
    total = 0
    while count := services.deliveries_send_due():
        total += count
    return total


@shared_task(name="insights.milestone_pushes")
def milestone_pushes() -> int:
    return milestones.milestone_pushes_send()


@shared_task(name="insights.recompute_reports")
def recompute_reports() -> int:
    """Recomputes the stored weeks of an older ALGORITHM_VERSION, batch after batch."""
    total = 0
    while count := services.reports_recompute():
        total += count
    return total


@shared_task(name="insights.widget_refresh", queue="push", ignore_result=True)
def widget_refresh(actor_id: str, couple_id: str) -> int:
    """The silent widget refresh of the actor's partner; a retry at most sends it twice (harmless)."""
    from uuid import UUID

    return services.widget_refresh_send(actor_id=UUID(actor_id), couple_id=UUID(couple_id))
