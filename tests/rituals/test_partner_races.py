"""Both partners writing at the same instant never deadlock (docs/architecture.md, "Lock order").

Two threads, one per partner, each with its own PostgreSQL connection, meet at a barrier before
every round and then write at once: a nudge, a completion of the same occurrence, an action on the
same goal (one accepts while the other withdraws) or a check-in, in every pairing of those kinds.
Business refusals (the goal moved on) are expected; a deadlock, or any other error, fails the test.
"""

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from accounts.models import User
from config.api.errors import ApplicationError
from couples.models import Couple
from rituals.models import CheckIn, Completion, Goal, Nudge, Ritual
from rituals.services import checkins, goals, nudges, rituals
from tests.factories import UserFactory, pair

ROUNDS = 500
KINDS = ("nudge", "completion", "goal", "check_in")
START = datetime.now(UTC).date() - timedelta(days=ROUNDS + 10)
ZONE = "Europe/Berlin"


def _kinds(round_: int) -> tuple[str, str]:
    """What each partner does in a round: all sixteen pairings, the same kind on both sides included."""
    return KINDS[round_ % 4], KINDS[(round_ + round_ // 4) % 4]


def _occurrence(round_: int) -> datetime:
    day = START + timedelta(days=round_)
    return datetime.combine(day, time(19), tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


class Partner:
    def __init__(self, user: User, ritual: Ritual, goal_ids: dict[int, Any], action: str) -> None:
        self.user, self.ritual, self.goal_ids, self.action = user, ritual, goal_ids, action

    def write(self, kind: str, round_: int) -> None:
        if kind == "nudge":
            nudges.nudge_send(sender=self.user, kind="hug")
        elif kind == "completion":
            rituals.completion_record(user=self.user, ritual_id=self.ritual.pk, occurrence_at=_occurrence(round_))
        elif kind == "goal":
            goals.goal_transition(user=self.user, goal_id=self.goal_ids[round_], action=self.action)
        else:
            checkins.checkin_create(user=self.user, mood=4, connection=4, is_shared=True)


def _run(partner: Partner, side: int, barrier: threading.Barrier, outcomes: Counter[str], errors: list[str]) -> None:
    try:
        for round_ in range(ROUNDS):
            kind = _kinds(round_)[side]
            barrier.wait()
            try:
                partner.write(kind, round_)
                outcomes[f"{kind} ok"] += 1
            except ApplicationError as exc:  # the goal moved on under the partner's action: a clean 409
                outcomes[f"{kind} {exc.code}"] += 1
            except Exception as exc:
                errors.append(f"round {round_} {kind}: {type(exc).__name__}: {exc}")
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_both_partners_writing_every_kind_at_the_same_instant_never_deadlock(settings):
    settings.NUDGE_DAILY_QUOTA = 10 * ROUNDS
    me, partner = UserFactory.create(time_zone=ZONE), UserFactory.create(time_zone="America/New_York")
    couple: Couple = pair(me, partner)
    ritual = Ritual.objects.create(
        couple=couple,
        created_by=me,
        title="Six-second kiss",
        category="affection",
        rrule="FREQ=DAILY",
        start_date=START,
        local_time=time(19),
        time_zone=ZONE,
    )
    goal_rounds = [r for r in range(ROUNDS) if "goal" in _kinds(r)]
    proposed = Goal.objects.bulk_create([Goal(couple=couple, title=f"Goal {r}", proposed_by=me) for r in goal_rounds])
    goal_ids = {r: goal.pk for r, goal in zip(goal_rounds, proposed, strict=True)}
    sides = [Partner(me, ritual, goal_ids, "withdraw"), Partner(partner, ritual, goal_ids, "accept")]
    barrier = threading.Barrier(2)
    outcomes: Counter[str] = Counter()
    errors: list[str] = []

    threads = [
        threading.Thread(target=_run, args=(side, index, barrier, outcomes, errors)) for index, side in enumerate(sides)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    writes: Callable[[str], int] = lambda kind: sum(1 for r in range(ROUNDS) for k in _kinds(r) if k == kind)  # noqa: E731
    assert Nudge.objects.count() == writes("nudge")
    assert Completion.objects.count() == writes("completion")
    assert CheckIn.objects.count() == writes("check_in")
    # Each goal moved once: accepted or withdrawn, whoever came first when both acted.
    assert Goal.objects.filter(status=Goal.Status.PROPOSED).count() == 0
    assert outcomes["goal ok"] == len(goal_ids)
