"""The stored streak checkpoint (rituals.streaks.Checkpoint, rituals.services.streaks) gives exactly
the streaks of walking the whole history, however the history was written."""

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command

from rituals import recurrence
from rituals.models import Completion, Ritual
from rituals.selectors.rituals import checkpoint_from_history, counted_days, ritual_view
from rituals.services.rituals import completion_record, completions_record, ritual_update
from rituals.services.streaks import streak_checkpoints_refresh
from rituals.streaks import (
    REFILL_CHECKS,
    Checkpoint,
    Streak,
    checkpoint_add,
    checkpoint_fill,
    checkpoint_of,
    checkpoint_refill,
    streak_at,
    streaks_by_day,
)
from tests.rituals.test_api_rituals import make_ritual


def walked(*, occurrences: list[date], completed: set[date], grace_days: int, today: date) -> Streak:
    """The rule of rituals/streaks.py read literally: each miss looks ahead for the next completion."""
    days = sorted({day for day in occurrences if day <= today})
    running = longest = 0
    for index, day in enumerate(days):
        if day in completed:
            running += 1
            longest = max(longest, running)
            continue
        later = next((d for d in days[index + 1 :] if d in completed), None)
        forgiven = (later - day).days <= grace_days if later is not None else (today - day).days <= grace_days
        if not forgiven:
            running = 0
    return Streak(current=running, longest=longest)


def random_history(rng: random.Random) -> tuple[list[date], set[date], int]:
    first = date(2026, 1, 1)
    step = rng.choice([1, 1, 2, 3, 7])
    occurrences = [first + timedelta(days=i * step + rng.choice([0, 0, 0, 1])) for i in range(rng.randrange(0, 60))]
    occurrences = sorted(set(occurrences))
    rate = rng.random()
    completed = {day for day in occurrences if rng.random() < rate}
    if rng.random() < 0.2:  # a completed date that is not (or no longer) an occurrence counts for nothing
        completed.add(first + timedelta(days=rng.randrange(400)))
    return occurrences, completed, rng.randrange(0, 8)


def test_checkpoint_then_streak_at_equals_the_walk_over_random_histories():
    rng = random.Random(20261129)
    for _ in range(3000):
        occurrences, completed, grace = random_history(rng)
        today = date(2026, 1, 1) + timedelta(days=rng.randrange(-5, 450))
        expected = walked(occurrences=occurrences, completed=completed, grace_days=grace, today=today)

        assert streaks_by_day(occurrences=occurrences, completed=completed, grace_days=grace, today=today) == expected

        # The checkpoint of the history up to today, asked on today, and on every later day when
        # nothing more was completed (what a stored checkpoint answers as the days go by).
        past = [day for day in occurrences if day <= today]
        done = {day for day in completed if day <= today}
        checkpoint = checkpoint_of(occurrences=iter(occurrences), completed=done, grace_days=grace)
        for later in (today, today + timedelta(days=rng.randrange(1, 30))):
            assert streak_at(checkpoint, today=later, grace_days=grace) == walked(
                occurrences=occurrences, completed=done, grace_days=grace, today=later
            ), (past, done, grace, later)


def test_advancing_one_completed_day_at_a_time_equals_the_full_walk():
    rng = random.Random(7)
    for _ in range(2000):
        occurrences, completed, grace = random_history(rng)
        counted = sorted(day for day in completed if day in set(occurrences))
        checkpoint = Checkpoint()
        for day in counted:
            next_due = next((d for d in occurrences if d > day), None)
            checkpoint = checkpoint_add(checkpoint, day=day, next_due=next_due, grace_days=grace)
            assert checkpoint == checkpoint_of(
                occurrences=occurrences, completed={d for d in counted if d <= day}, grace_days=grace
            )


def test_completing_days_in_any_order_equals_the_full_walk_and_fills_inside_the_run_in_o1():
    # What the service does: advance after last_done, fill inside the running streak, walk otherwise.
    rng = random.Random(11)
    filled = partial_walks = walks = 0
    for _ in range(2000):
        occurrences, completed, grace = random_history(rng)
        counted = [day for day in completed if day in set(occurrences)]
        rng.shuffle(counted)
        checkpoint, done = Checkpoint(), set()
        for day in counted:
            done.add(day)
            if checkpoint.last_done is None or day > checkpoint.last_done:
                next_due = next((d for d in occurrences if d > day), None)
                checkpoint = checkpoint_add(checkpoint, day=day, next_due=next_due, grace_days=grace)
            elif (inside := checkpoint_fill(checkpoint, day=day)) is not None:
                checkpoint, filled = inside, filled + 1
            elif (refilled := _refill(checkpoint, day, done, occurrences, grace)) is not None:
                checkpoint, partial_walks = refilled, partial_walks + 1
            else:
                checkpoint, walks = checkpoint_of(occurrences=occurrences, completed=done, grace_days=grace), walks + 1
            assert checkpoint == checkpoint_of(occurrences=occurrences, completed=done, grace_days=grace), (
                occurrences,
                sorted(done),
                grace,
            )
    assert filled > 1000
    assert partial_walks > 500
    assert walks > 100  # every path was taken


def _refill(
    checkpoint: Checkpoint, day: date, done: set[date], occurrences: list[date], grace: int
) -> Checkpoint | None:
    return checkpoint_refill(
        checkpoint,
        day=day,
        counted=done,
        grace_days=grace,
        occurrences_from=lambda start: [d for d in occurrences if d >= start],
        next_occurrence=lambda after: next((d for d in occurrences if d > after), None),
    )


def test_a_refill_walks_from_the_last_unforgiven_miss_and_gives_up_after_its_checks():
    # Daily, grace 1: runs Jan 1-3 and Jan 10-12 (Jan 4-9 missed), then Jan 20-25 (13-19 missed).
    occurrences = [date(2026, 1, 1) + timedelta(days=i) for i in range(40)]
    done = {date(2026, 1, d) for d in [1, 2, 3, 10, 11, 12, 20, 21, 22, 23, 24, 25]}
    before = checkpoint_of(occurrences=occurrences, completed=done, grace_days=1)
    assert (before.running, before.longest, before.run_start) == (6, 6, date(2026, 1, 20))
    walked_from: list[date] = []

    def occurrences_from(start: date) -> list[date]:
        walked_from.append(start)
        return [d for d in occurrences if d >= start]

    done |= {date(2026, 1, 13), date(2026, 1, 15), date(2026, 1, 17), date(2026, 1, 19)}  # Jan 13-19 now forgiven
    refilled = checkpoint_refill(
        before,
        day=date(2026, 1, 13),
        counted=done,
        grace_days=1,
        occurrences_from=occurrences_from,
        next_occurrence=lambda after: after + timedelta(days=1),
    )
    assert walked_from == [date(2026, 1, 10)]  # not from Jan 1: the miss of Jan 4 is not forgiven
    assert refilled == checkpoint_of(occurrences=occurrences, completed=done, grace_days=1)
    assert (refilled.running, refilled.longest, refilled.run_start) == (13, 13, date(2026, 1, 10))

    # Every other day for a year, grace 0: each gap is wide, none is a break within REFILL_CHECKS.
    sparse = {date(2026, 1, 1) + timedelta(days=2 * i) for i in range(REFILL_CHECKS + 5)}
    every_other = sorted(sparse)
    kept = checkpoint_of(occurrences=every_other, completed=sparse, grace_days=0)
    assert (
        checkpoint_refill(
            kept,
            day=every_other[-1],
            counted=sparse,
            grace_days=0,
            occurrences_from=lambda start: [d for d in every_other if d >= start],
            next_occurrence=lambda after: next((d for d in every_other if d > after), None),
        )
        is None
    )


def test_a_refill_stops_at_the_first_break_after_the_days_it_adds():
    # Daily, grace 1: runs Jan 1-2, Jan 7-9, Jan 16-18 and Jan 26-31. Jan 11 joins Jan 7-9 (Jan 10
    # forgiven), and the miss of Jan 12 still breaks the streak before Jan 16: nothing from there on
    # changes, so the walk goes from Jan 7 (the miss of Jan 3 is not forgiven) to Jan 16.
    occurrences = [date(2026, 1, 1) + timedelta(days=i) for i in range(40)]
    done = {date(2026, 1, d) for d in [1, 2, 7, 8, 9, 16, 17, 18, 26, 27, 28, 29, 30, 31]}
    before = checkpoint_of(occurrences=occurrences, completed=done, grace_days=1)
    walked: list[date] = []

    def occurrences_from(start: date) -> Iterator[date]:
        for day in occurrences:
            if day >= start:
                walked.append(day)
                yield day

    def refill(added: set[date], last_added: date | None = None) -> Checkpoint | None:
        walked.clear()
        refilled = checkpoint_refill(
            before,
            day=min(added),
            last_added=last_added,
            counted=done | added,
            grace_days=1,
            occurrences_from=occurrences_from,
            next_occurrence=lambda after: after + timedelta(days=1),
        )
        assert refilled == checkpoint_of(occurrences=occurrences, completed=done | added, grace_days=1)
        return refilled

    refilled = refill({date(2026, 1, 11)})
    assert refilled is not None
    assert (walked[0], walked[-1]) == (date(2026, 1, 7), date(2026, 1, 16))  # not on to Jan 31
    assert (refilled.running, refilled.longest, refilled.run_start) == (6, 6, date(2026, 1, 26))
    # Jan 10-15 join Jan 7-18: the longest streak is the walked part's, the running one as it was.
    longer = refill({date(2026, 1, d) for d in [10, 11, 12, 13, 14, 15]})
    assert longer is not None
    assert (longer.running, longer.longest, walked[-1]) == (6, 12, date(2026, 1, 26))
    # Days added up to Feb 7 that the checkpoint does not hold yet: the walk goes on past them, to
    # the first occurrence after the last completed one.
    refill({date(2026, 1, 11), date(2026, 2, 4), date(2026, 2, 6), date(2026, 2, 7)}, last_added=date(2026, 2, 7))
    assert walked[-1] == date(2026, 2, 8)


def test_a_day_outside_the_running_streak_or_an_unknown_start_is_not_filled():
    run = Checkpoint(
        last_done=date(2026, 3, 10), running=3, longest=5, next_due=date(2026, 3, 11), run_start=date(2026, 3, 6)
    )

    assert checkpoint_fill(run, day=date(2026, 3, 7)) == Checkpoint(
        last_done=date(2026, 3, 10), running=4, longest=5, next_due=date(2026, 3, 11), run_start=date(2026, 3, 6)
    )
    assert checkpoint_fill(run, day=date(2026, 3, 5)) is None  # before the run: it may join an older one
    assert checkpoint_fill(run, day=date(2026, 3, 6)) is None
    assert checkpoint_fill(run, day=date(2026, 3, 10)) is None
    assert checkpoint_fill(Checkpoint(date(2026, 3, 10), 3, 5, date(2026, 3, 11)), day=date(2026, 3, 8)) is None


def test_a_checkpoint_neither_goes_back_nor_answers_for_an_earlier_day():
    checkpoint = checkpoint_add(Checkpoint(), day=date(2026, 3, 2), next_due=date(2026, 3, 3), grace_days=1)
    with pytest.raises(ValueError, match="only advances"):
        checkpoint_add(checkpoint, day=date(2026, 3, 1), next_due=date(2026, 3, 2), grace_days=1)
    with pytest.raises(ValueError, match="answers for"):
        streak_at(checkpoint, today=date(2026, 3, 1), grace_days=1)


# Through the service, on the database ---------------------------------------------------------------

RULES = ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=TU,SA", "FREQ=DAILY;INTERVAL=2", "FREQ=WEEKLY;BYDAY=SU"]
ZONES = ["Europe/Berlin", "America/New_York", "Pacific/Chatham", "Asia/Kolkata"]
NOW = datetime(2026, 4, 20, 12, tzinfo=UTC)


def counted_in_python(ritual: Ritual, before: datetime | None = None) -> set[date]:
    partners = defaultdict(set)
    for completion in Completion.objects.filter(ritual=ritual):
        if before is None or completion.occurrence_at < before:
            partners[recurrence.local_date(completion.occurrence_at, ritual.time_zone)].add(completion.user_id)
    return {day for day, users in partners.items() if ritual.counts(len(users))}


def assert_stored_equals_full_walk(ritual: Ritual) -> None:
    ritual.refresh_from_db()
    counted = counted_days(rituals=[ritual])[ritual.pk]
    assert counted == counted_in_python(ritual)  # the local dates PostgreSQL computes
    assert ritual.streak_checkpoint == checkpoint_from_history(ritual=ritual, counted=counted)


def expected_streak(ritual: Ritual, now: datetime) -> Streak:
    today = recurrence.local_date(now, ritual.time_zone)
    start = recurrence.local_day_bounds(ritual.start_date, ritual.time_zone)[0]
    end = recurrence.local_day_bounds(today, ritual.time_zone)[1]
    days = [recurrence.local_date(at, ritual.time_zone) for at in _occurrences(ritual, start, end)]
    counted = {day for day in counted_days(rituals=[ritual])[ritual.pk] if day <= today}
    return walked(occurrences=days, completed=counted, grace_days=ritual.grace_days, today=today)


def _occurrences(ritual: Ritual, start: datetime, end: datetime) -> list[datetime]:
    return recurrence.occurrences(
        rrule=ritual.rrule,
        start_date=ritual.start_date,
        local_time=ritual.local_time,
        time_zone=ritual.time_zone,
        start=start,
        end=end,
    )


def random_ritual(rng: random.Random, couple, user) -> Ritual:
    return make_ritual(
        couple,
        user,
        rrule=rng.choice(RULES),
        time_zone=rng.choice(ZONES),
        local_time=time(rng.choice([0, 7, 19, 23]), rng.choice([0, 30])),
        start_date=date(2026, 1, 1),
        grace_days=rng.randrange(0, 4),
        requires_both_confirmation=rng.random() < 0.5,
    )


@pytest.mark.parametrize("seed", range(6))
def test_completions_recorded_in_any_order_keep_the_stored_checkpoint_equal_to_the_full_walk(
    me_user, partner_user, couple, seed
):
    rng = random.Random(seed)
    with time_machine.travel(NOW, tick=False):
        ritual = random_ritual(rng, couple, me_user)
        start = recurrence.local_day_bounds(ritual.start_date, ritual.time_zone)[0]
        instants = _occurrences(ritual, start, NOW)
        # Mostly in order, as phones log them; some late, out of order, by either partner.
        todo = [(at, user) for at in instants for user in (me_user, partner_user) if rng.random() < 0.75]
        for index in range(len(todo) - 1):
            if rng.random() < 0.15:
                swap = rng.randrange(index, len(todo))
                todo[index], todo[swap] = todo[swap], todo[index]
        for step, (at, user) in enumerate(todo):
            completion_record(user=user, ritual_id=ritual.pk, occurrence_at=at)
            if step % 7 == 0:
                assert_stored_equals_full_walk(ritual)
        assert_stored_equals_full_walk(ritual)
        before = NOW - timedelta(days=rng.randrange(60))
        assert counted_days(rituals=[ritual], before=before)[ritual.pk] == counted_in_python(ritual, before)

        for days_later in (0, 1, 2, 5, 30):
            now = NOW + timedelta(days=days_later)
            ritual.refresh_from_db()
            assert ritual_view(ritual=ritual, now=now).streak == expected_streak(ritual, now), days_later


@pytest.mark.parametrize("seed", range(4))
def test_batches_of_days_in_any_order_keep_the_stored_checkpoint_equal_to_the_full_walk(
    me_user, partner_user, couple, seed
):
    # A phone back online pushes several days at once, some before the running streak: such a day
    # walks the history with the batch's later days still to come.
    rng = random.Random(100 + seed)
    with time_machine.travel(NOW, tick=False):
        ritual = random_ritual(rng, couple, me_user)
        start = recurrence.local_day_bounds(ritual.start_date, ritual.time_zone)[0]
        todo = [(at, user) for at in _occurrences(ritual, start, NOW) for user in (me_user, partner_user)]
        todo = [item for item in todo if rng.random() < 0.6]
        rng.shuffle(todo)
        while todo:
            size = rng.randrange(1, 8)
            batch, todo = todo[:size], todo[size:]
            for user in (me_user, partner_user):
                entries = [{"occurrence_at": at} for at, who in batch if who == user]
                if entries:
                    completions_record(user=user, ritual_id=ritual.pk, entries=entries)
            assert_stored_equals_full_walk(ritual)


def assert_stored_run(ritual: Ritual, *, running: int, longest: int) -> None:
    """The stored checkpoint is the full walk's, with these running and longest streaks."""
    assert_stored_equals_full_walk(ritual)
    checkpoint = ritual.streak_checkpoint
    assert checkpoint is not None
    assert (checkpoint.running, checkpoint.longest) == (running, longest)


def test_a_batch_that_joins_two_runs_counts_each_of_its_days_once(me_user, couple):
    # Daily, grace 0: runs Apr 1-2, 5-6 and 9-12. A phone back online logs Apr 7 and 8 at once: Apr 7
    # joins 5-6 to the running streak (a walk), and Apr 8, now inside it, must not be counted again.
    with time_machine.travel(NOW, tick=False):
        ritual = make_ritual(couple, me_user, rrule="FREQ=DAILY", start_date=date(2026, 4, 1), grace_days=0)
        for day in (1, 2, 5, 6, 9, 10, 11, 12):
            completion_record(user=me_user, ritual_id=ritual.pk, occurrence_at=datetime(2026, 4, day, 17, tzinfo=UTC))
        entries = [{"occurrence_at": datetime(2026, 4, day, 17, tzinfo=UTC)} for day in (8, 7)]
        completions_record(user=me_user, ritual_id=ritual.pk, entries=entries)
        assert_stored_run(ritual, running=8, longest=8)


def test_a_late_day_that_joins_runs_longer_than_the_refill_window_walks_the_whole_history(me_user, couple):
    # Daily, grace 0: every day from Jan 1 to Apr 19 but Mar 1. The late Mar 1 joins Jan 1 - Feb 28
    # (further back than REFILL_WEEKS: no miss within them) to Mar 2 - Apr 19: one run of 109 days.
    with time_machine.travel(NOW, tick=False):
        ritual = make_ritual(
            couple,
            me_user,
            rrule="FREQ=DAILY",
            start_date=date(2026, 1, 1),
            time_zone="UTC",
            local_time=time(17),
            grace_days=0,
        )
        late = date(2026, 3, 1)
        days = [date(2026, 1, 1) + timedelta(days=n) for n in range(109)]
        entries = [{"occurrence_at": datetime.combine(day, time(17), UTC)} for day in days if day != late]
        completions_record(user=me_user, ritual_id=ritual.pk, entries=entries)
        completion_record(user=me_user, ritual_id=ritual.pk, occurrence_at=datetime.combine(late, time(17), UTC))
        assert_stored_run(ritual, running=109, longest=109)


def test_editing_what_streaks_derive_from_recomputes_the_checkpoint(me_user, couple):
    with time_machine.travel(NOW, tick=False):
        ritual = make_ritual(couple, me_user, rrule="FREQ=DAILY", start_date=date(2026, 4, 1), grace_days=1)
        for day in (10, 11, 13, 14, 17, 18, 19):
            completion_record(user=me_user, ritual_id=ritual.pk, occurrence_at=datetime(2026, 4, day, 17, tzinfo=UTC))
        ritual.refresh_from_db()
        assert ritual_view(ritual=ritual, now=NOW).streak == Streak(3, 4)  # the 12th forgiven, the 15th not

        for change in (
            {"grace_days": 2},
            {"grace_days": 0},
            {"rrule": "FREQ=DAILY;INTERVAL=2"},
            {"time_zone": "America/Los_Angeles"},  # 17:00Z is the day before there
            {"rrule": "FREQ=DAILY", "time_zone": "Europe/Berlin", "start_date": date(2026, 4, 15)},
            {"title": "Renamed", "status": Ritual.Status.PAUSED},
        ):
            ritual = ritual_update(user=me_user, ritual_id=ritual.pk, data=change)
            assert_stored_equals_full_walk(ritual)
            assert ritual_view(ritual=ritual, now=NOW).streak == expected_streak(ritual, NOW), change

        never_done = make_ritual(couple, me_user, rrule="FREQ=DAILY", start_date=date(2026, 4, 1))
        Ritual.objects.filter(pk=never_done.pk).update(streak_valid=False)
        never_done = ritual_update(
            user=me_user, ritual_id=never_done.pk, data={"grace_days": 3}
        )  # no walk: nothing to count
        assert_stored_equals_full_walk(never_done)
        assert never_done.streak_valid


def test_completions_written_or_deleted_around_the_service_invalidate_the_checkpoint(me_user, partner_user, couple):
    with time_machine.travel(NOW, tick=False):
        ritual = make_ritual(couple, me_user, rrule="FREQ=DAILY", start_date=date(2026, 4, 1), grace_days=0)
        for day in range(10, 20):
            completion_record(
                user=partner_user, ritual_id=ritual.pk, occurrence_at=datetime(2026, 4, day, 17, tzinfo=UTC)
            )
        ritual.refresh_from_db()
        assert ritual.streak_valid
        assert ritual_view(ritual=ritual, now=NOW).streak == Streak(10, 10)

        # The partner deletes their account: their completions go with it (a cascade).
        Completion.objects.filter(ritual=ritual, occurrence_at__day=15).delete()
        ritual.refresh_from_db()
        assert not ritual.streak_valid
        assert ritual_view(ritual=ritual, now=NOW).streak == Streak(4, 5)  # walked from the history

        Completion.objects.create(
            couple=couple, ritual=ritual, user=me_user, occurrence_at=datetime(2026, 4, 15, 17, tzinfo=UTC)
        )
        ritual.refresh_from_db()
        assert ritual_view(ritual=ritual, now=NOW).streak == Streak(10, 10)

        # The next counted completion recomputes it.
        completion_record(user=me_user, ritual_id=ritual.pk, occurrence_at=datetime(2026, 4, 20, 17, tzinfo=UTC))
        ritual.refresh_from_db()
        assert ritual.streak_valid
        assert ritual_view(ritual=ritual, now=NOW).streak == Streak(11, 11)
        assert_stored_equals_full_walk(ritual)


def test_a_completion_for_the_rituals_tomorrow_counts_from_that_day_on(me_user, partner_user, couple):
    # 13:00 on the 20th in Los Angeles, where the ritual lives, is 08:00 on the 21st in Auckland: a
    # partner there may log the ritual's occurrence of the 21st (00:30 in Los Angeles) already.
    me_user.time_zone = "Pacific/Auckland"
    me_user.save()
    now = datetime(2026, 4, 20, 20, tzinfo=UTC)
    ritual = make_ritual(
        couple,
        me_user,
        rrule="FREQ=DAILY",
        time_zone="America/Los_Angeles",
        local_time=time(0, 30),
        start_date=date(2026, 4, 1),
        grace_days=0,
    )
    with time_machine.travel(now, tick=False):
        for day in (17, 18, 19, 20):
            completion_record(
                user=partner_user, ritual_id=ritual.pk, occurrence_at=datetime(2026, 4, day, 7, 30, tzinfo=UTC)
            )
        completion_record(user=me_user, ritual_id=ritual.pk, occurrence_at=datetime(2026, 4, 21, 7, 30, tzinfo=UTC))
        ritual.refresh_from_db()
        assert ritual.streak_last_done == date(2026, 4, 21)
        assert ritual_view(ritual=ritual, now=now).streak == expected_streak(ritual, now) == Streak(4, 4)
    later = datetime(2026, 4, 21, 20, tzinfo=UTC)
    assert ritual_view(ritual=ritual, now=later).streak == expected_streak(ritual, later) == Streak(5, 5)


def test_the_backfill_command_recomputes_invalid_checkpoints(me_user, partner_user, couple):
    with time_machine.travel(NOW, tick=False):
        rituals = [make_ritual(couple, me_user, rrule="FREQ=DAILY", start_date=date(2026, 4, 1)) for _ in range(3)]
        for ritual in rituals:
            for day in range(5, 19, 2):
                Completion.objects.create(
                    couple=couple, ritual=ritual, user=me_user, occurrence_at=datetime(2026, 4, day, 17, tzinfo=UTC)
                )
        Ritual.objects.update(streak_valid=False, streak_longest=0, streak_running=0)  # as a bulk load leaves them

        call_command("refresh_streak_checkpoints", "--invalid-only", "--batch", "2", stdout=None)

        for ritual in rituals:
            assert_stored_equals_full_walk(ritual)
            assert ritual.streak_valid
            assert ritual_view(ritual=ritual, now=NOW).streak == Streak(0, 7)
        assert streak_checkpoints_refresh(ritual_ids=[]) == 0
