"""Metrics from what the fake FCM server received and what the database says, and the table."""

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from notifications.tasks import CHUNK

TARGET_DRAIN_SECONDS = 60
TARGET_RITUALS = 100_000


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(fraction * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class Result:
    args: dict[str, Any]
    fire_at: datetime
    expected: int
    notifications: int
    states: dict[str, int]
    received: int
    unique: int
    duplicates: int
    losses: int
    sent_not_received: int
    received_not_sent: int
    first_push_s: float
    drain_s: float
    pushes_per_s: float
    lateness_p50_s: float
    lateness_p99_s: float
    lateness_max_s: float
    dispatch: dict[str, Any] = field(default_factory=dict)
    timeline: list[list[float]] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    worker_errors: int = 0
    tasks_succeeded: int = 0
    baselines: dict[str, Any] = field(default_factory=dict)
    wall_seconds: float = 0.0

    @classmethod
    def from_rows(
        cls,
        *,
        args: dict[str, Any],
        fire_at: datetime,
        expected: int,
        rows: list[tuple[float, str, str]],
        states: dict[str, int],
        sent_ids: set[str],
        notifications: int,
    ) -> "Result":
        """`rows`: (receive time, collapse id, token) per request the fake server accepted. Every
        reminder of the run falls due at `fire_at`, so its lateness is receive time - fire_at."""
        due = fire_at.timestamp()
        first: dict[str, float] = {}
        for received_at, collapse_id, _ in rows:
            if collapse_id not in first or received_at < first[collapse_id]:
                first[collapse_id] = received_at
        lateness = sorted(t - due for t in first.values())
        last = max((t for t, _, _ in rows), default=due)
        drain = last - due
        return cls(
            args=args,
            fire_at=fire_at,
            expected=expected,
            notifications=notifications,
            states=states,
            received=len(rows),
            unique=len(first),
            duplicates=len(rows) - len(first),
            losses=expected - states.get("sent", 0),
            sent_not_received=len(sent_ids - first.keys()),
            received_not_sent=len(first.keys() - sent_ids),
            first_push_s=lateness[0] if lateness else 0.0,
            drain_s=drain,
            pushes_per_s=len(first) / drain if drain > 0 else 0.0,
            lateness_p50_s=percentile(lateness, 0.50),
            lateness_p99_s=percentile(lateness, 0.99),
            lateness_max_s=lateness[-1] if lateness else 0.0,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def render(result: Result) -> str:
    args = result.args
    met = result.drain_s < TARGET_DRAIN_SECONDS and result.duplicates == 0 and result.losses == 0
    lines = [
        f"## Reminder dispatch: {args['rituals']:,} rituals due at {result.fire_at:%H:%M} UTC "
        f"({result.expected:,} pushes), {args['workers']} x {args['concurrency']} prefork push workers, "
        f"{args.get('dispatchers', 1)} dispatchers, "
        f"fake FCM {args['latency'] * 1000:.0f} ms",
        "",
        "| metric | value |",
        "|---|---|",
        f"| drain (due → last push at the fake server) | {result.drain_s:.1f} s (target < {TARGET_DRAIN_SECONDS} s) |",
        f"| pushes per second (unique / drain) | {result.pushes_per_s:,.0f} |",
        f"| first push after due | {result.first_push_s:.2f} s |",
        f"| lateness p50 / p99 / max | {result.lateness_p50_s:.1f} / {result.lateness_p99_s:.1f} / "
        f"{result.lateness_max_s:.1f} s |",
        f"| dispatchers (due → no due reminder left; {result.notifications:,} notifications written) | "
        f"{result.dispatch.get('seconds', float('nan')):.1f} s{_error(result)} |",
        f"| pushes received / unique collapse ids | {result.received:,} / {result.unique:,} |",
        f"| duplicates (same collapse id twice) | {result.duplicates} |",
        f"| losses (notifications not `sent`) | {result.losses} |",
        f"| push states | {', '.join(f'{k} {v:,}' for k, v in sorted(result.states.items()))} |",
        f"| sent but not received / received but not sent | {result.sent_not_received} / {result.received_not_sent} |",
        f"| worker tasks succeeded / ERROR log lines | {result.tasks_succeeded:,} / {result.worker_errors} |",
        f"| verdict | {_verdict(met, args['rituals'])} |",
    ]
    if result.cpu:
        window = result.cpu.get("machine capacity", 0.0)
        lines += ["", "| CPU during the run (due → drained) | seconds | share of the machine |", "|---|---|---|"]
        for name, seconds in result.cpu.items():
            if name != "machine capacity":
                share = f"{seconds / window:.0%}" if window else ""
                lines.append(f"| {name} | {seconds:.1f} | {share} |")
    lines += _baseline_lines(result.baselines)
    return "\n".join(lines)


def _verdict(met: bool, rituals: int) -> str:
    if rituals < TARGET_RITUALS:
        return f"{'within' if met else 'outside'} the target's limits, but the target is for {TARGET_RITUALS:,} rituals"
    return "target met" if met else "TARGET MISSED"


def _error(result: Result) -> str:
    error = result.dispatch.get("error")
    return f" — FAILED: {error}" if error else ""


def _baseline_lines(baselines: dict[str, Any]) -> list[str]:
    if not baselines:
        return []
    redis = baselines["redis_enqueue"]
    fake = baselines["fake_fcm_server"]
    client = baselines["fcm_provider"]
    return [
        "",
        "| baseline (same run) | value |",
        "|---|---|",
        f"| Redis: Celery publish of send_pushes messages ({CHUNK} ids, {redis['message_bytes']:,} B) | "
        f"{redis['celery_messages_per_s']:,.0f} msg/s = {redis['celery_ids_per_s']:,.0f} pushes/s |",
        f"| Redis: bare LPUSH of the same bytes | {redis['lpush_messages_per_s']:,.0f} msg/s |",
        f"| fake FCM server, trivial client ({fake['connections']} keep-alive connections) | "
        f"{fake['requests_per_s']:,.0f} req/s (server {fake['server_cpu_us_per_request']:.0f} µs CPU/req, "
        f"client {fake['client_cpu_us_per_request']:.0f} µs; {fake['errors']} errors) |",
        f"| FcmProvider.send alone, one process, batches of {CHUNK} | {client['pushes_per_s']:,.0f} pushes/s, "
        f"{client['client_cpu_us_per_push']:.0f} µs CPU/push |",
    ]
