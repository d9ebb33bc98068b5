"""The Celery app. Workers: `celery -A config worker`; exactly one `celery -A config beat`."""

import os
from typing import Any

from celery import Celery, Task
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("couples")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task ids in logs, task metrics, worker heartbeats, and the beat heartbeat task (config/observability).
import config.observability.tasks  # noqa: E402, F401


@task_prerun.connect(weak=False, dispatch_uid="config.celery.database_connections")
@task_postrun.connect(weak=False, dispatch_uid="config.celery.database_connections")
def _recycle_database_connections(sender: Task | None = None, **_: Any) -> None:
    """Database connections of a worker live as those of a web process do: reused while younger
    than CONN_MAX_AGE and healthy (Django's check around each request, here around each task).

    Celery's Django fix-up would instead close every connection before and after each task, i.e.
    open a new PostgreSQL session (a server process) per task, unless CELERY_DB_REUSE_MAX is set;
    the settings set it, and this takes over the per-task check. Eager tasks run inside the
    caller's transaction (tests): their connection is the caller's and is left alone."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
