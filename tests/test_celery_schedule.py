"""The static beat schedule names real tasks, and no tick piles up behind a stopped worker."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings

from config.celery import app


@pytest.fixture(scope="module")
def registered_tasks() -> set[str]:
    # Workers import every app's tasks module at start; do the same before looking.
    app.loader.import_default_modules()
    return set(app.tasks)


def _entries() -> list[tuple[str, dict]]:
    return sorted(settings.CELERY_BEAT_SCHEDULE.items())


def test_the_schedule_is_not_empty():
    assert "accounts.flush_expired_tokens" in settings.CELERY_BEAT_SCHEDULE


@pytest.mark.parametrize(("name", "entry"), _entries(), ids=[name for name, _ in _entries()])
def test_every_scheduled_task_is_registered(registered_tasks, name, entry):
    assert entry["task"] in registered_tasks, f"{name}: no task named {entry['task']!r}"


@pytest.mark.parametrize(("name", "entry"), _entries(), ids=[name for name, _ in _entries()])
def test_every_entry_expires_before_its_next_tick(name, entry):
    # A tick that waits longer than its own period behind a busy or stopped worker is worthless;
    # without `expires` they queue up and run back to back when the worker returns.
    expires = entry.get("options", {}).get("expires")
    assert isinstance(expires, int | float), name
    assert expires > 0, name
    schedule = entry["schedule"]
    if isinstance(schedule, crontab):
        return  # its period varies; the expiry is the author's call
    period = schedule.total_seconds() if isinstance(schedule, timedelta) else float(schedule)
    assert expires <= period, name


def test_the_schedule_task_names_are_what_the_tasks_declare():
    # Tasks are named explicitly, so moving a module does not silently orphan a schedule entry.
    from accounts import tasks

    assert tasks.flush_expired_tokens.name == "accounts.flush_expired_tokens"
    assert tasks.send_password_reset_email.name == "accounts.send_password_reset_email"
