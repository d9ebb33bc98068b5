"""Readiness checks beyond "the services answer": unapplied migrations and stale heartbeats."""

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

_migrations_applied = False


def check_migrations() -> None:
    """Raises while the database lacks a migration this code needs (a deploy ran before migrate).

    Once clean it stays clean for this process: its code, and so its migrations, cannot change."""
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} unapplied migrations, first {plan[0][0].app_label}.{plan[0][0].name}")
    _migrations_applied = True


def check_heartbeats() -> dict[str, str]:
    """{"beat": state, "worker": state}: "ok", "stale" or "missing"; empty when the check is off."""
    max_age = settings.HEARTBEAT_MAX_AGE_SECONDS
    if not max_age:
        return {}
    from config.observability.heartbeats import ages

    return {name: "missing" if age is None else ("ok" if age <= max_age else "stale") for name, age in ages().items()}
