"""Sync push benchmark: what a big offline push costs, and what it costs the partner meanwhile.

Starts gunicorn (2 workers, --timeout 30, as the Dockerfile runs it) on loopback with the bench
settings, on a database of its own, and measures over HTTP:

- pushes of 100, 2,000 and 10,000 records (50 % check-ins, 45 % ritual completions, 5 % rituals),
  each a phone's first push of those records: wall time, ms per record, rejections;
- ms per record by table (2,000 records of one table each);
- the partner's writes and pulls while the 2,000- and 10,000-record pushes run (one `POST check-ins`
  then one `GET sync/pull` after another, as fast as they answer): max and p50 latency, against the
  same requests on an idle server in the same run (the ratio is what to compare between runs).

    python -m bench.sync.push [--sizes 100,2000,10000]

Targets (issue 12): 2,000 records < 4 s; the partner never waits > 0.5 s; 10,000 records succeed.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.sync.push_settings")

import django
import psycopg

DB_NAME = "couples_bench_push"


def _recreate_database() -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Api:
    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, float]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310 (loopback)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Content-Type", "application/json")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
                status, text = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read()
        elapsed = time.perf_counter() - started
        return status, json.loads(text) if text.startswith(b"{") else text, elapsed


def _seed() -> tuple[Any, Any, str, str]:
    from accounts.services.sessions import session_start
    from tests.factories import UserFactory, pair

    me = UserFactory.create(email="me@bench.local", time_zone="UTC")
    partner = UserFactory.create(email="partner@bench.local", time_zone="UTC")
    couple = pair(me, partner)
    tokens = [session_start(user=user, user_agent="bench").access for user in (me, partner)]
    return me, couple, tokens[0], tokens[1]


def _rituals(couple: Any, me: Any, count: int) -> list[str]:
    from rituals.models import Ritual

    made = Ritual.objects.bulk_create(
        [
            Ritual(
                couple=couple,
                created_by=me,
                title=f"bench {i}",
                category="conversation",
                rrule="FREQ=DAILY",
                start_date=datetime(2026, 1, 1, tzinfo=UTC).date(),
                local_time=datetime(2026, 1, 1, 7, tzinfo=UTC).time(),
                time_zone="UTC",
            )
            for i in range(count)
        ]
    )
    return [str(r.id) for r in made]


def _changes(couple: Any, me: Any, size: int, mix: dict[str, float]) -> dict[str, Any]:
    counts = {table: int(size * share) for table, share in mix.items()}
    counts[next(iter(counts))] += size - sum(counts.values())
    changes: dict[str, Any] = {}
    if counts.get("check_ins"):
        changes["check_ins"] = {
            "created": [
                {"id": str(uuid.uuid4()), "mood": 1 + i % 5, "connection": 3, "note": "", "is_shared": i % 2 == 0}
                for i in range(counts["check_ins"])
            ]
        }
    if counts.get("ritual_completions"):
        days = 200
        rituals = _rituals(couple, me, -(-counts["ritual_completions"] // days))
        start = datetime(2026, 1, 1, 7, tzinfo=UTC)
        changes["ritual_completions"] = {
            "created": [
                {
                    "id": str(uuid.uuid4()),
                    "ritual_id": rituals[i // days],
                    "occurrence_at": int((start + timedelta(days=i % days)).timestamp() * 1000),
                    "note": "",
                    "connection_rating": None,
                }
                for i in range(counts["ritual_completions"])
            ]
        }
    if counts.get("rituals"):
        changes["rituals"] = {
            "created": [
                {
                    "id": str(uuid.uuid4()),
                    "template_id": None,
                    "title": f"offline {i}",
                    "category": "conversation",
                    "rrule": "FREQ=WEEKLY;BYDAY=MO",
                    "start_date": "2026-11-02",
                    "local_time": "19:00:00",
                    "time_zone": "Europe/Berlin",
                    "status": "active",
                }
                for i in range(counts["rituals"])
            ]
        }
    return changes


class PartnerProbe(threading.Thread):
    """The partner's phone, writing and pulling one request after another while a push runs."""

    def __init__(self, api: Api):
        super().__init__(daemon=True)
        self.api, self.stop, self.errors = api, threading.Event(), 0
        self.latencies: list[float] = []
        self.slow: list[str] = []

    def run(self) -> None:
        cursor = self.api.call("GET", "/api/v1/sync/pull")[1]["timestamp"]
        while not self.stop.is_set():
            status, _, elapsed = self.api.call("POST", "/api/v1/check-ins", {"mood": 4, "connection": 4})
            self._record("POST check-ins", elapsed, status != 201)
            status, _, elapsed = self.api.call("GET", f"/api/v1/sync/pull?last_pulled_at={cursor}")
            self._record("GET sync/pull", elapsed, status != 200)

    def _record(self, what: str, elapsed: float, failed: bool) -> None:
        self.latencies.append(elapsed)
        self.errors += failed
        if elapsed > 0.5:
            self.slow.append(f"{what} {elapsed * 1000:.0f} ms at {time.strftime('%H:%M:%S')}")


def _push(api: Api, changes: dict[str, Any], probe: Api | None = None) -> dict[str, Any]:
    cursor = api.call("GET", "/api/v1/sync/pull")[1]["timestamp"]
    partner = PartnerProbe(probe) if probe else None
    if partner:
        partner.start()
        time.sleep(0.3)
    status, body, elapsed = api.call("POST", f"/api/v1/sync/push?last_pulled_at={cursor}", {"changes": changes})
    result: dict[str, Any] = {"status": status, "seconds": elapsed, "rejected": len(body.get("rejections", []))}
    if partner:
        partner.stop.set()
        partner.join()
        result["partner_max"] = max(partner.latencies)
        result["partner_p50"] = statistics.median(partner.latencies)
        result["partner_errors"] = partner.errors
        result["partner_slow"] = partner.slow
    return result


def _idle_partner(api: Api, rounds: int = 40) -> tuple[float, float]:
    probe = PartnerProbe(api)
    probe.start()
    while len(probe.latencies) < rounds:
        time.sleep(0.05)
    probe.stop.set()
    probe.join()
    return max(probe.latencies), statistics.median(probe.latencies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,2000,10000")
    parser.add_argument("--per-table", type=int, default=2000)
    args = parser.parse_args()
    _recreate_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    me, couple, my_token, partner_token = _seed()
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.sync.push_settings"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--timeout", "30", "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.1)
        api, partner = Api(base, my_token), Api(base, partner_token)
        idle_max, idle_p50 = _idle_partner(partner)
        print(f"partner on an idle server: p50 {idle_p50 * 1000:.1f} ms, max {idle_max * 1000:.1f} ms")
        print("\nmixed pushes (50 % check-ins, 45 % completions, 5 % rituals):")
        mix = {"check_ins": 0.5, "ritual_completions": 0.45, "rituals": 0.05}
        for size in (int(s) for s in args.sizes.split(",")):
            result = _push(api, _changes(couple, me, size, mix), partner if size >= 2000 else None)
            line = (
                f"  {size:>6} records: HTTP {result['status']}, {result['seconds']:.2f} s, "
                f"{result['seconds'] * 1000 / size:.2f} ms/record, {result['rejected']} rejected"
            )
            if "partner_max" in result:
                line += (
                    f"; partner p50 {result['partner_p50'] * 1000:.0f} ms, max {result['partner_max'] * 1000:.0f} ms "
                    f"({result['partner_max'] / idle_max:.1f}x idle max), {result['partner_errors']} errors"
                )
            print(line)
            for slow in result.get("partner_slow", []):
                print(f"    partner waited: {slow}")
        print(f"\nper table ({args.per_table} records each):")
        for table in ("check_ins", "ritual_completions", "rituals"):
            result = _push(api, _changes(couple, me, args.per_table, {table: 1.0}))
            print(
                f"  {table:<20} {result['seconds'] * 1000 / args.per_table:.2f} ms/record "
                f"(HTTP {result['status']}, {result['rejected']} rejected)"
            )
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
