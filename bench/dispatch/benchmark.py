"""The benchmark itself: seed, start, let everything fall due, dispatch, drain, measure, report."""

import argparse
import json
import math
import os
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.db import connection

from bench.dispatch import baselines, seed
from bench.dispatch.processes import BenchError, CpuTracker, FakeServer, Workers, machine_busy_seconds, pids_matching
from bench.dispatch.report import Result, render
from notifications.models import Notification, ReminderSchedule
from notifications.tasks import CHUNK, dispatch_reminders

# Keys a Celery/kombu Redis database holds; anything else means the database is someone else's.
_BROKER_KEYS = ("push", "default", "celery", "unacked", "unacked_index", "unacked_mutex", "_kombu.", "bench-", ":1:")


def _log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class Benchmark:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out: Path = args.out.resolve()
        self.out.mkdir(parents=True, exist_ok=True)
        self.started = time.monotonic()

    def run(self) -> Result:
        args = self.args
        self._empty_redis()
        _log(f"database {seed.database_name()}: create if missing, migrate, empty")
        seed.ensure_database()
        seed.empty()
        couples = seed.seed_people(couples=math.ceil(args.rituals / seed.RITUALS_PER_COUPLE))
        _log(f"seeded people: {seed.counts()}")
        fake = FakeServer(latency=args.latency, log_path=self.out / "fake-fcm.log")
        started: list[Workers] = []
        try:
            env = self._worker_env(fake.url)
            workers = Workers(count=args.workers, concurrency=args.concurrency, env=env, log_dir=self.out)
            started.append(workers)
            queue = settings.CELERY_TASK_DEFAULT_QUEUE
            dispatchers = Workers(count=1, concurrency=args.dispatchers, env=env, log_dir=self.out, queue=queue)
            started.append(dispatchers)
            workers.wait_ready()
            dispatchers.wait_ready()
            pool = f"{args.workers} x {args.concurrency} push workers, {args.dispatchers} dispatchers"
            _log(f"fake FCM at {fake.url} ({args.latency * 1000:.0f} ms); {pool} ready")
            fire_at = self._plan_fire_at()
            seed.seed_rituals(couples=couples, rituals=args.rituals, fire_at=fire_at)
            seed.seed_dates(couples=couples, dates=args.dates, fire_at=fire_at)
            seed.analyze()
            self._check_seeded(fire_at)
            result = self._measure(fire_at, fake, workers, dispatchers)
        finally:
            for group in started:
                group.stop()
            fake.stop()
            self._empty_redis()
        if not args.skip_baselines:
            result.baselines = self._baselines(result.expected)
        result.wall_seconds = time.monotonic() - self.started
        self._report(result)
        return result

    # SETUP ------------------------------------------------------------------------------------

    def _empty_redis(self) -> None:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, decode_responses=True)
        foreign = [key for key in client.scan_iter(count=1000) if not key.startswith(_BROKER_KEYS)]
        if foreign:
            raise BenchError(f"{settings.CELERY_BROKER_URL} holds other keys ({foreign[:3]}...); pick --redis-url")
        client.flushdb()
        client.close()

    def _worker_env(self, fcm_url: str) -> dict[str, str]:
        return {
            **os.environ,
            "FCM_ENDPOINT": fcm_url,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "REMINDER_DISPATCHERS": str(self.args.dispatchers),
        }

    def _plan_fire_at(self) -> datetime:
        """The first whole minute far enough ahead to seed the rituals before it."""
        # Generous: seeding 100,000 rituals takes 20-60 s on 2 busy shared cores.
        lead = timedelta(seconds=20 + (self.args.rituals + self.args.dates) / 2_000)
        earliest = datetime.now(UTC) + lead
        return earliest.replace(second=0, microsecond=0) + timedelta(minutes=1)

    def _check_seeded(self, fire_at: datetime) -> None:
        schedules = ReminderSchedule.objects.count()
        wanted = self.args.rituals + self.args.dates
        if schedules != wanted or ReminderSchedule.objects.exclude(fire_at=fire_at).exists():
            raise BenchError(f"expected {wanted} schedules all due at {fire_at}, found {schedules}")
        if datetime.now(UTC) >= fire_at - timedelta(seconds=1):
            raise BenchError("seeding overran the planned due minute; rerun (or lower --rituals)")
        _log(
            f"seeded {self.args.rituals} rituals and {self.args.dates} dates over {len(seed.ZONES)} zones, "
            f"all due at {fire_at:%H:%M:%S} UTC"
        )

    # MEASUREMENT ------------------------------------------------------------------------------

    def _measure(self, fire_at: datetime, fake: FakeServer, workers: Workers, dispatchers: Workers) -> Result:
        # Each ritual and each date: two partners with one device each.
        expected = 2 * (self.args.rituals + self.args.dates)
        due = fire_at.timestamp()
        database = f" {seed.database_name()} "
        cpu = CpuTracker(
            {
                "dispatch workers": dispatchers.pids,
                "push workers": workers.pids,
                "runner (watching)": lambda: [os.getpid()],
                "postgres (bench sessions)": lambda: pids_matching(database),
                "redis-server": lambda: pids_matching("redis-server"),
            }
        )
        dispatcher: dict[str, Any] = {}
        thread = threading.Thread(target=self._dispatch, args=(due, dispatcher), name="dispatcher")
        time.sleep(max(0.0, due - time.time()))
        cpu.start()
        fake_cpu, (busy, capacity) = fake.cpu_seconds(), machine_busy_seconds()
        thread.start()
        timeline = self._drain(due, expected, fake, dispatcher, cpu)
        thread.join(timeout=self.args.timeout)
        cpu.sample()
        result_cpu = cpu.totals()
        result_cpu["fake FCM server"] = fake.cpu_seconds() - fake_cpu
        busy_after, capacity_after = machine_busy_seconds()
        result_cpu["everything else on the machine"] = busy_after - busy - sum(result_cpu.values())
        result_cpu["machine capacity"] = capacity_after - capacity
        rows = fake.dump(self.out / "received.json")
        states = Counter(Notification.objects.values_list("push_state", flat=True))
        sent_ids = {str(pk) for pk in Notification.objects.filter(push_state="sent").values_list("id", flat=True)}
        result = Result.from_rows(
            args=vars(self.args),
            fire_at=fire_at,
            expected=expected,
            rows=rows,
            states=dict(states),
            sent_ids=sent_ids,
            notifications=sum(states.values()),
        )
        result.dispatch = dispatcher
        result.timeline = timeline
        result.cpu = result_cpu
        result.worker_errors = workers.log_lines("ERROR")
        result.tasks_succeeded = workers.log_lines("] succeeded in")
        return result

    def _dispatch(self, due: float, record: dict[str, Any]) -> None:
        """What the beat does at the due instant: one `dispatch_reminders` message on the default
        queue (its run starts the helpers); then watches, in this thread with its own database
        connection, until no due reminder is left."""
        started = time.time()
        record["started_after_due_s"] = started - due
        try:
            dispatch_reminders.delay()
            while ReminderSchedule.objects.filter(fire_at__lte=datetime.fromtimestamp(due, UTC)).exists():
                if time.time() - due > self.args.timeout:
                    record["error"] = "due reminders left at the timeout"
                    break
                time.sleep(0.5)
            record["written"] = Notification.objects.count()
        except Exception as error:  # reported, and the drain stops at its stall limit
            record["error"] = repr(error)
        finally:
            record["seconds"] = time.time() - started
            record["finished_after_due_s"] = time.time() - due
            record["finished_at"] = time.time()
            connection.close()

    def _drain(
        self, due: float, expected: int, fake: FakeServer, dispatcher: dict[str, Any], cpu: CpuTracker
    ) -> list[list[float]]:
        """Samples the fake server until every push arrived, nothing moved for --stall seconds, or
        --timeout passed; returns [seconds after due, pushes received] samples."""
        timeline: list[list[float]] = []
        last_change, last_count, last_print = time.time(), -1, 0.0
        while True:
            time.sleep(0.5)
            cpu.sample()
            now, received = time.time(), fake.received()
            timeline.append([round(now - due, 2), received])
            if received != last_count:
                last_change, last_count = now, received
            if now - last_print >= 5:
                state = "dispatching" if "finished_at" not in dispatcher else "draining"
                _log(f"+{now - due:5.1f} s  {received:>7}/{expected} pushes received ({state})")
                last_print = now
            if received >= expected and "finished_at" in dispatcher:
                time.sleep(2)  # let a late duplicate show up before counting
                timeline.append([round(time.time() - due, 2), fake.received()])
                return timeline
            if now - due > self.args.timeout:
                _log(f"timed out after {self.args.timeout:.0f} s")
                return timeline
            if "finished_at" in dispatcher and now - last_change > self.args.stall:
                _log(f"no new push for {self.args.stall:.0f} s: stopping")
                return timeline

    # BASELINES AND REPORT ---------------------------------------------------------------------

    def _baselines(self, expected: int) -> dict[str, Any]:
        args = self.args
        _log("baselines: Redis enqueue, fake FCM server throughput, FCM provider alone")
        return {
            "redis_enqueue": baselines.redis_enqueue(messages=math.ceil(expected / CHUNK)),
            "fake_fcm_server": baselines.fake_server_throughput(
                latency=args.latency, requests=20_000, connections=200, log_dir=self.out
            ),
            "fcm_provider": baselines.fcm_provider(latency=args.latency, batches=30, log_dir=self.out),
        }

    def _report(self, result: Result) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = self.out / f"result-{stamp}.json"
        path.write_text(json.dumps(result.as_dict(), indent=2, default=str))
        print(render(result))
        print(f"\nfull results: {path}")
