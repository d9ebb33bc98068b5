"""config.db.atomic_write: a write's statements in psycopg's pipeline mode, BEGIN and COMMIT with them.

Each test runs in its own committed transactions (transaction=True), as a request does: the block
is the outermost one, so it sends its own BEGIN and COMMIT. Round trips are counted from libpq's
protocol trace (tests/roundtrips.py).
"""

import uuid
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from config.db import atomic_retried_on_conflict, atomic_write
from messaging.models import MessageTemplate
from notifications.models import Notification
from rituals.models import CheckIn, Completion, Goal, Nudge, Ritual
from rituals.services.goals import goal_propose
from tests.conftest import AppClient
from tests.factories import UserFactory, pair
from tests.rituals.test_api_rituals import make_ritual
from tests.roundtrips import round_trips

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "notification.nudge.hug"


def _template(locale: str) -> MessageTemplate:
    return MessageTemplate(key=KEY, locale=locale, title="{partner_name}", body="")


def _insert_unread(locale: str) -> None:
    """An INSERT whose result nobody reads (as a write's own rows, notifications and stamps are)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO messaging_messagetemplate (key, locale, title, body, updated_at) "
            "VALUES (%s, %s, '', '', now())",
            [KEY, locale],
        )


def _locales() -> list[str]:
    return sorted(MessageTemplate.objects.filter(key=KEY).values_list("locale", flat=True))


def _idle() -> bool:
    """Back to autocommit, no transaction open on the server, as after any atomic block."""
    raw = connection.connection
    return connection.get_autocommit() and raw.autocommit and raw.info.transaction_status.name == "IDLE"


def test_statements_whose_results_are_not_read_ride_with_the_next_read_and_commit():
    with round_trips() as plain, transaction.atomic():
        _insert_unread("de")
        _insert_unread("es")
        assert _locales() == ["de", "es"]
        _insert_unread("fr")
        _insert_unread("it")
    MessageTemplate.objects.all().delete()

    with round_trips() as piped, atomic_write():
        _insert_unread("de")
        _insert_unread("es")
        assert _locales() == ["de", "es"]  # BEGIN and both INSERTs go with this read
        _insert_unread("fr")
        _insert_unread("it")  # both with COMMIT

    assert plain.count == 7  # BEGIN, four INSERTs, the read, COMMIT
    assert piped.count == 2
    assert piped.sent("Sync") == 1  # one transaction, ended once
    assert _locales() == ["de", "es", "fr", "it"]
    assert _idle()


def test_row_counts_wait_for_their_statement():
    MessageTemplate.objects.bulk_create([_template("de"), _template("es")])
    with atomic_write():
        assert MessageTemplate.objects.filter(key=KEY).update(title="x") == 2
        assert MessageTemplate.objects.filter(locale="fr").update(title="x") == 0
        template = MessageTemplate.objects.get(locale="de")
        template.body = "edited"
        template.save()  # an UPDATE: save() inserts when the UPDATE's row count is 0
        assert MessageTemplate.objects.filter(locale="es").delete()[0] == 1
    assert MessageTemplate.objects.get(locale="de").body == "edited"
    assert _locales() == ["de"]


def test_a_failure_seen_at_commit_rolls_the_whole_block_back():
    _insert_unread("de")

    @atomic_write()
    def write() -> None:
        _insert_unread("es")
        _insert_unread("de")  # fails on the unique key; nothing reads its result before COMMIT

    with pytest.raises(IntegrityError):
        write()
    assert _locales() == ["de"]
    assert _idle()
    assert MessageTemplate.objects.count() == 1  # the connection is usable


def test_an_exception_after_queued_statements_rolls_them_back_and_skips_on_commit_hooks():
    committed: list[str] = []

    @atomic_write()
    def write() -> None:
        _insert_unread("es")
        transaction.on_commit(lambda: committed.append("es"))
        raise RuntimeError("a rule broken after the INSERT went out")

    with pytest.raises(RuntimeError):
        write()
    assert _locales() == []
    assert committed == []
    assert _idle()

    with atomic_write():
        _insert_unread("fr")
        transaction.on_commit(lambda: committed.append("fr"))
    assert committed == ["fr"]  # after the COMMIT
    assert _locales() == ["fr"]


def test_nested_in_an_atomic_block_the_outer_block_commits_or_rolls_back():

    @transaction.atomic
    def write() -> None:
        with atomic_write():
            _insert_unread("de")
        assert _locales() == ["de"]
        raise RuntimeError("the outer block fails after the inner one ended")

    with pytest.raises(RuntimeError):
        write()
    assert _locales() == []

    with round_trips() as trips, transaction.atomic(), atomic_write():
        _insert_unread("de")
        _insert_unread("es")
    assert trips.count == 5  # the outer BEGIN, its SAVEPOINT, the inner statements, RELEASE, COMMIT
    assert _locales() == ["de", "es"]


def test_a_conflict_seen_at_commit_runs_the_write_again():
    _insert_unread("de")
    runs: list[str] = []

    @atomic_retried_on_conflict
    def write() -> str:
        runs.append("run")
        _insert_unread("es")
        if len(runs) == 1:
            _insert_unread("de")  # what a concurrent request inserted first: fails at COMMIT
        return "done"

    assert write() == "done"
    assert len(runs) == 2
    assert _locales() == ["de", "es"]


# The main writes, as the API runs them (the transaction only: the session query is before it, the
# response and the eagerly sent push after it). Round trips pinned; before atomic_write each
# statement was one, BEGIN and COMMIT included (the "was" in each comment).

NOW = datetime(2026, 3, 15, 20, tzinfo=UTC)  # Sunday 21:00 in Berlin


@pytest.fixture
def people(settings):
    settings.MESSAGE_COPY_CACHE_SECONDS = 60  # as in production: the copy is read once per process
    me, partner = UserFactory.create(), UserFactory.create()
    couple = pair(me, partner)
    with time_machine.travel(NOW, tick=False):
        yield AppClient().sign_in(me), AppClient().sign_in(partner), couple


def _transaction_of(request):
    request()  # once, so that this process has its statements compiled and the copy read
    with round_trips() as trips:
        response = request()
    assert response.status_code < 300, response.content
    assert _idle()
    return trips.of_pipelined_transaction


def test_a_check_in_takes_two_round_trips(people):
    me, _partner, couple = people
    trips = _transaction_of(lambda: me.post("/api/v1/check-ins", {"mood": 4, "connection": 5, "is_shared": True}))
    assert CheckIn.objects.filter(couple=couple).count() == 2
    assert trips == 2  # was 5: BEGIN + INSERT + the couple's members; the stamp + COMMIT


def test_a_completion_takes_five_round_trips(people):
    me, partner, couple = people
    ritual = make_ritual(couple, start_date=date(2026, 1, 1), rrule="FREQ=DAILY")

    def complete(client, day):
        return client.post(f"/api/v1/rituals/{ritual.pk}/completions", {"occurrence_at": f"2026-03-{day}T18:00:00Z"})

    complete(partner, 14)  # compiles the statements, and the ritual's streak counts that day
    with round_trips() as trips:
        assert complete(me, 15).status_code == 201
    assert Completion.objects.filter(ritual=ritual).count() == 2
    assert Notification.objects.filter(recipient=partner.user, kind="ritual_completed_by_partner").exists()
    assert Ritual.objects.get(pk=ritual.pk).streak_valid
    # was 10: BEGIN; the lock; the days' completions; INSERT; the members; the history the streak
    # needs; its UPDATE; the notification; the stamp; COMMIT
    assert trips.of_pipelined_transaction == 5


def test_a_nudge_takes_four_round_trips(people):
    me, partner, _couple = people
    trips = _transaction_of(lambda: me.post("/api/v1/nudges", {"kind": "hug"}))
    assert Nudge.objects.filter(recipient=partner.user).count() == 2
    assert Notification.objects.filter(recipient=partner.user, kind=Notification.Kind.NUDGE).count() == 2
    assert trips == 4  # was 8: BEGIN + the lock; the day's count; INSERT + members; notification + stamp + COMMIT


def test_a_ritual_edit_takes_four_round_trips(people):
    me, _partner, couple = people
    ritual = make_ritual(couple)
    trips = _transaction_of(lambda: me.patch(f"/api/v1/rituals/{ritual.pk}", {"description": str(uuid.uuid4())}))
    assert trips == 4  # was 6: BEGIN + the lock; UPDATE (its row count); members; the stamp + COMMIT


def test_a_goal_accept_takes_four_round_trips(people):
    me, partner, couple = people
    goals = [goal_propose(couple=couple, by=partner.user, title=f"Walk {n}")[0] for n in range(2)]
    me.post(f"/api/v1/goals/{goals[0].pk}/accept")
    with round_trips() as trips:
        assert me.post(f"/api/v1/goals/{goals[1].pk}/accept").status_code == 200
    assert Goal.objects.filter(status=Goal.Status.ACCEPTED).count() == 2
    assert Notification.objects.filter(recipient=partner.user).count() == 2
    assert (
        trips.of_pipelined_transaction == 4
    )  # was 7: BEGIN + the lock; UPDATE; members; notification + stamp + COMMIT
