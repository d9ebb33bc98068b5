"""config.db.atomic_retried_on_conflict: a write whose INSERT loses a race runs once more, from a
clean transaction, instead of paying a savepoint around every INSERT."""

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from config.db import atomic_retried_on_conflict, rerun_by_caller
from messaging.models import MessageTemplate

pytestmark = pytest.mark.django_db

KEY = "notification.nudge.hug"


def _insert(locale: str) -> None:
    # A plain INSERT (save() would validate the unique constraint first, with a query of its own).
    MessageTemplate.objects.bulk_create([MessageTemplate(key=KEY, locale=locale, title="{partner_name}", body="")])


def _always_conflicting(runs: list[str]) -> Callable[[], None]:
    """A write that inserts a row present before it ran, every time."""
    _insert("de")

    @atomic_retried_on_conflict
    def write() -> None:
        runs.append("run")
        _insert("de")

    return write


def test_a_write_that_fails_on_a_constraint_is_rolled_back_whole_and_run_again():
    _insert("de")
    runs: list[str] = []

    @atomic_retried_on_conflict
    def write() -> str:
        runs.append("run")
        _insert("es")  # the first run's work must not survive its failure
        if len(runs) == 1:
            _insert("de")  # what a concurrent request inserted first
        return "done"

    assert write() == "done"
    assert len(runs) == 2
    assert sorted(MessageTemplate.objects.values_list("locale", flat=True)) == ["de", "es"]


def test_a_second_failure_is_raised():
    runs: list[str] = []
    write = _always_conflicting(runs)

    with pytest.raises(IntegrityError):
        write()
    assert len(runs) == 2
    assert MessageTemplate.objects.count() == 1


def test_inside_rerun_by_caller_it_takes_no_savepoint_and_leaves_a_conflict_to_the_caller():
    runs: list[str] = []
    write = _always_conflicting(runs)

    # The caller's transaction (a savepoint in the test's), rolled back whole.
    queries = CaptureQueriesContext(connection)
    with queries, pytest.raises(IntegrityError), transaction.atomic(), rerun_by_caller():
        write()
    assert len(runs) == 1
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1  # the caller's
    assert MessageTemplate.objects.count() == 1
