"""Sync pull benchmark: does an incremental pull stay cheap as a couple's history grows?

For couples with 0, 1 and 3 years of history (5 daily rituals completed by both partners, daily
check-ins, nudges, notifications, daily prompts and answers, all stamped in sync_state as the
services would have), it measures in-process (Django test client, real PostgreSQL):

- an incremental pull with nothing changed since the cursor;
- an incremental pull after one day of changes (made through the ORM, so the sync stamps are real);

and reports p50/p99 per history and the ratio of each p99 to the 0-year p99 measured in the same
run. Target (issue 6): the 3-year p99 within 1.2x of the 0-year p99.

    python -m bench.sync [--requests 300] [--rounds 5]

It uses its own database (`couples_bench_sync`, dropped and created here) and Redis database 9.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.sync.settings")

import django
import psycopg

DB_NAME = "couples_bench_sync"
RITUALS_PER_COUPLE = 5
HISTORIES = {"0 years": 0, "1 year": 365, "3 years": 3 * 365}


def _recreate_database() -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def _seed_couple(days: int) -> Any:
    """A couple with `days` days of history, written in bulk (and its sync stamps with it)."""
    from accounts.models import User
    from couples.models import Couple, Membership
    from notifications.models import Notification
    from rituals.models import CheckIn, Completion, DailyPrompt, Nudge, Prompt, PromptAnswer, Ritual
    from sync.models import SyncCounter, SyncState

    tag = uuid.uuid4().hex[:8]
    me = User.objects.create_user(f"me-{tag}@bench.local", "bench-password-123", time_zone="Europe/Berlin")
    partner = User.objects.create_user(f"partner-{tag}@bench.local", "bench-password-123", time_zone="UTC")
    couple = Couple.objects.create(time_zone="Europe/Berlin")
    Membership.objects.bulk_create([Membership(couple=couple, user=me), Membership(couple=couple, user=partner)])
    start = date(2026, 11, 23) - timedelta(days=days)
    rituals = Ritual.objects.bulk_create(
        [
            Ritual(
                couple=couple,
                title=f"ritual {i}",
                category="affection",
                rrule="FREQ=DAILY",
                start_date=start,
                local_time=clock(8 + i),
                time_zone="Europe/Berlin",
            )
            for i in range(RITUALS_PER_COUPLE)
        ]
    )
    prompt = Prompt.objects.first()
    rows: dict[str, list[Any]] = {"ritual_completions": [], "check_ins": [], "nudges": [], "notifications": []}
    dailies, answers = [], []
    for offset in range(days):
        day = start + timedelta(days=offset)
        at = datetime.combine(day, clock(9), tzinfo=UTC)
        for ritual in rituals:
            for user in (me, partner):
                rows["ritual_completions"].append(
                    Completion(couple=couple, ritual=ritual, user=user, occurrence_at=at, created_at=at)
                )
        for user in (me, partner):
            rows["check_ins"].append(
                CheckIn(user=user, couple=couple, mood=4, connection=4, is_shared=True, local_date=day, created_at=at)
            )
            for n in range(5):
                rows["notifications"].append(
                    Notification(
                        recipient=user,
                        kind="ritual_reminder",
                        title="r",
                        dedupe_key=f"{tag}:{offset}:{user.pk}:{n}",
                        created_at=at,
                    )
                )
        for _ in range(3):
            rows["nudges"].append(Nudge(couple=couple, sender=me, recipient=partner, kind="hug", created_at=at))
        if prompt is not None:
            daily = DailyPrompt(couple=couple, day=day, prompt=prompt, created_at=at)
            dailies.append(daily)
            answers += [PromptAnswer(couple=couple, daily_prompt=daily, user=u, text="a") for u in (me, partner)]
    models = {"ritual_completions": Completion, "check_ins": CheckIn, "nudges": Nudge, "notifications": Notification}
    for table, objs in rows.items():
        models[table].objects.bulk_create(objs, batch_size=5000)  # type: ignore[attr-defined]
    DailyPrompt.objects.bulk_create(dailies, batch_size=5000)
    PromptAnswer.objects.bulk_create(answers, batch_size=5000)

    # The stamps the services would have written over those days: one per record and holder.
    stamps = []
    version = {me.pk: 0, partner.pk: 0}
    holders = {"notifications": None}
    everything = [("rituals", r) for r in rituals] + [(t, o) for t, objs in rows.items() for o in objs]
    everything += [("daily_prompts", d) for d in dailies] + [("prompt_answers", a) for a in answers]
    for table, obj in everything:
        users = [obj.recipient_id] if table in holders else [me.pk, partner.pk]
        for user_id in users:
            version[user_id] += 1
            stamps.append(SyncState(user_id=user_id, table=table, record_id=str(obj.pk), version=version[user_id]))
    SyncState.objects.bulk_create(stamps, batch_size=5000)
    SyncCounter.objects.bulk_create([SyncCounter(user_id=u, version=v) for u, v in version.items()])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # production tables have statistics; freshly bulk-loaded ones do not
    return me, partner, couple, rituals


def _one_day_of_changes(me: Any, partner: Any, couple: Any, rituals: Any) -> None:
    """What a couple does in a day, through the ORM so the sync stamps are the real ones."""
    from notifications.models import Notification
    from rituals.models import CheckIn, Completion, Nudge

    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    for ritual in rituals:
        for user in (me, partner):
            Completion.objects.create(couple=couple, ritual=ritual, user=user, occurrence_at=now + timedelta(days=1))
    for user in (me, partner):
        CheckIn.objects.create(
            user=user, couple=couple, mood=3, connection=4, is_shared=True, local_date=date(2026, 11, 24)
        )
        for n in range(5):
            Notification.objects.create(recipient=user, kind="nudge", title="n", dedupe_key=f"day:{user.pk}:{n}")
    for _ in range(3):
        Nudge.objects.create(couple=couple, sender=partner, recipient=me, kind="kiss")


def _measure_interleaved(targets: list[tuple[Any, str]], requests: int) -> list[list[float]]:
    """Round-robin over the targets, a few requests at a time, so machine noise (this machine is
    shared) hits every history alike instead of whichever was measured during a busy second."""
    samples: list[list[float]] = [[] for _ in targets]
    for client, url in targets:  # warm up
        for _ in range(20):
            assert client.get(url).status_code == 200
    for _ in range(0, requests, 5):
        for index, (client, url) in enumerate(targets):
            for _ in range(5):
                started = time.perf_counter()
                response = client.get(url)
                samples[index].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
    return samples


def _p(rounds: list[list[float]], q: float) -> float:
    """The q-th percentile of each round, then the median over rounds."""
    return statistics.median(statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1] for samples in rounds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests per target and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    _recreate_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo_content", verbosity=0)
    from sync.changes import current_version
    from tests.conftest import AppClient

    seeded = []
    for label, days in HISTORIES.items():
        seeded_at = time.perf_counter()
        me, partner, couple, rituals = _seed_couple(days)
        quiet_cursor = current_version(me.pk)
        _one_day_of_changes(me, partner, couple, rituals)
        seeded.append((label, days, time.perf_counter() - seeded_at, AppClient().sign_in(me), quiet_cursor, me))
    targets = []
    for _label, _days, _seconds, client, day_cursor, me in seeded:
        targets.append((client, f"/api/v1/sync/pull?last_pulled_at={current_version(me.pk)}"))  # nothing new
        targets.append((client, f"/api/v1/sync/pull?last_pulled_at={day_cursor}"))  # one day of changes
    # Several rounds; each statistic is the median over rounds, so one noisy second on this shared
    # 2-core machine does not decide a p99.
    rounds = [_measure_interleaved(targets, args.requests) for _ in range(args.rounds)]
    results = [
        (label, days, seconds, [r[2 * i] for r in rounds], [r[2 * i + 1] for r in rounds])
        for i, (label, days, seconds, _client, _cursor, _me) in enumerate(seeded)
    ]

    base_quiet, base_day = _p(results[0][3], 99), _p(results[0][4], 99)
    print(
        f"\nsync pull, {args.rounds} rounds x {args.requests} requests per target, in-process "
        f"(PostgreSQL, {RITUALS_PER_COUPLE} daily rituals); percentiles are medians over rounds\n"
    )
    print(
        "| history | seeded in | nothing changed p50 / p99 (ms) | ratio p99 "
        "| one day of changes p50 / p99 (ms) | ratio p99 |"
    )
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for label, _days, seed_seconds, quiet, day in results:
        rq, rd = _p(quiet, 99) / base_quiet, _p(day, 99) / base_day
        worst = max(worst, rq, rd)
        print(
            f"| {label} | {seed_seconds:.1f} s | {_p(quiet, 50):.2f} / {_p(quiet, 99):.2f} | {rq:.2f}x "
            f"| {_p(day, 50):.2f} / {_p(day, 99):.2f} | {rd:.2f}x |"
        )
    verdict = "PASS" if worst <= 1.2 else "FAIL"
    print(f"\nworst p99 ratio to 0 years: {worst:.2f}x (target <= 1.2x): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
