"""The insights benchmark: seed, finalise with N processes side by side, check replays, report."""

import argparse
import hashlib
import json
import multiprocessing
import time
from datetime import timedelta
from typing import Any

from django.db import connection, connections
from django.utils import timezone

from bench.dispatch.seed import analyze, empty, ensure_database
from insights import report, services
from insights.models import ReportDelivery, ReportSchedule, WeeklyReport, WeeklyReportPersonal
from notifications.models import Notification

BUDGET_SECONDS = 300


def _log(message: str) -> None:
    print(f"[{timezone.now():%H:%M:%S}] {message}", flush=True)


def _finalise(batch_size: int) -> None:
    services.reports_finalise_due(batch_size=batch_size)
    connection.close()


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _checksum() -> str:
    digest = hashlib.sha256()
    for row in WeeklyReport.objects.order_by("couple_id", "week_start").values_list(
        "couple_id", "week_start", "shared"
    ):
        digest.update(json.dumps(row, default=str, sort_keys=True).encode())
    for part in WeeklyReportPersonal.objects.order_by("report_id", "user_id").values_list(
        "report_id", "user_id", "data"
    ):
        digest.update(json.dumps(part, default=str, sort_keys=True).encode())
    return digest.hexdigest()


def run(args: argparse.Namespace) -> dict[str, Any]:
    ensure_database()
    empty()
    now = timezone.now()
    started = time.monotonic()
    seeded = seed_all(args.couples, now)
    _log(f"seeded {seeded} in {time.monotonic() - started:.1f} s")
    analyze()
    connections.close_all()

    context = multiprocessing.get_context("fork")
    cpu_before = _cpu()
    started = time.monotonic()
    workers = [context.Process(target=_finalise, args=(args.batch_size,)) for _ in range(args.workers)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=BUDGET_SECONDS * 4)
    elapsed = time.monotonic() - started
    cpu = _cpu() - cpu_before
    stored = WeeklyReport.objects.count()
    _log(f"finalised {stored} couple-weeks in {elapsed:.1f} s ({stored / elapsed:,.0f}/s, {cpu:.1f} CPU-s in workers)")

    result: dict[str, Any] = {
        "couples": args.couples,
        "workers": args.workers,
        "batch_size": args.batch_size,
        "seeded": seeded,
        "finalised": stored,
        "seconds": round(elapsed, 2),
        "per_second": round(stored / elapsed, 1),
        "worker_cpu_seconds": round(cpu, 1),
        "projected_100k_seconds": round(100_000 / (stored / elapsed), 1),
    }
    result.update(replay_checks(args.replay, now))
    result["all_finalised"] = stored == args.couples
    result["under_budget"] = result["projected_100k_seconds"] < BUDGET_SECONDS
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"result-{timezone.now():%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    _log(json.dumps(result, default=str))
    _log(f"written to {path}")
    return result


def seed_all(couples: int, now: Any) -> dict[str, int]:
    from bench.insights.seed import seed

    return seed(couples=couples, now=now)


def replay_checks(replay: int, now: Any) -> dict[str, Any]:
    """A second finalise claims nothing; weeks handed back are finalised again without changing a
    byte; the same week delivered twice writes one notification per partner."""
    before = _checksum()
    second = services.reports_finalise_due()
    handed_back = list(ReportSchedule.objects.order_by("couple_id")[:replay])
    for schedule in handed_back:
        schedule.week_start -= timedelta(days=7)
        schedule.due_at = schedule.starts_at
        schedule.starts_at = report.week_bounds(schedule.week_start, schedule.couple.time_zone)[0]
    ReportSchedule.objects.bulk_update(handed_back, ["week_start", "starts_at", "due_at"])
    refinalised = services.reports_finalise_due()
    unchanged = _checksum() == before
    due = ReportDelivery.objects.filter(couple_id__in=[s.couple_id for s in handed_back])
    due.update(deliver_at=now - timedelta(minutes=1))
    services.deliveries_send_due(now=now, batch_size=10 * replay)
    first = Notification.objects.filter(kind=Notification.Kind.WEEKLY_REPORT_READY).count()
    due.update(sent_at=None)  # as if the delivery task ran again before recording its work
    services.deliveries_send_due(now=now, batch_size=10 * replay)
    again = Notification.objects.filter(kind=Notification.Kind.WEEKLY_REPORT_READY).count()
    _log(
        f"replay: second finalise claimed {second}; {refinalised} handed back, stored reports unchanged: {unchanged}; "
        f"notifications {first} then {again}"
    )
    return {
        "replay_second_finalise_claimed": second,
        "replay_refinalised": refinalised,
        "replay_reports_unchanged": unchanged,
        "replay_notifications_first": first,
        "replay_notifications_again": again,
    }
