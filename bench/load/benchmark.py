"""One benchmark size: seed (or reuse) the database, start gunicorn, run wrk per endpoint, collect."""

import argparse
import contextlib
import fcntl
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from bench.load import cpu, seed, targets
from bench.load.urls import WRITE_TABLE

LUA = Path(__file__).with_name("rotate.lua")
ONE_QUERY = "baseline: one query"
# Curated content the app reads (issue 17); loaded by `load_demo_content`, as on a fresh install.
CONTENT = ["ritual-templates", "prompts/today", "date-ideas"]
ONE_INSERT = "baseline: one insert"
BASELINES = ["baseline: constant", ONE_QUERY, ONE_INSERT]
PULL = "sync/pull"
READS = ["rituals/today", "rituals", "couple", "notifications", PULL, "widget", *CONTENT]
# Each request of these creates or changes a row once (a fresh slice of targets per round).
ONCE = ["POST completions", "POST goals/{id}/accept", "POST sync/push (10 records)"]
WRITES = [*ONCE, "POST nudges", "POST check-ins", "PATCH rituals/{id}"]
ENDPOINTS = [*BASELINES, *READS, *WRITES]


def baseline_of(endpoint: str) -> str:
    """Reads are compared with one indexed query, writes with one INSERT in a transaction."""
    return ONE_INSERT if endpoint in WRITES else ONE_QUERY


class Benchmark:
    def __init__(self, args: argparse.Namespace, couples: int) -> None:
        self.args = args
        self.couples = couples
        base = args.database_url.rpartition("/")[2]  # not the connection's NAME: the previous size set it
        self.database = f"{base}_{couples}"
        if "bench" not in self.database:
            raise SystemExit(f"Refusing to use database {self.database!r}: its name must contain 'bench'.")
        self.out = Path(args.out) / f"{couples}"
        self.out.mkdir(parents=True, exist_ok=True)
        self._server_pid = 0
        self._people: list[targets.Actor] = []
        self._seeded_at: Any = None

    def run(self) -> dict[str, Any]:
        self._use_database()
        seeded_at, seed_seconds = self._prepare()
        with connection.cursor() as cursor:
            cursor.execute(WRITE_TABLE)  # the one-insert baseline's table
        # The curated content (templates, decks, date ideas, quizzes) as a fresh install has it; the
        # command is idempotent, so a reused database gets what content was added since its seed.
        call_command("load_demo_content", verbosity=0, stdout=io.StringIO())
        counts = seed.counts()
        print(f"[{self.couples} couples] rows: {counts}", flush=True)
        result: dict[str, Any] = {"couples": self.couples, "seed_seconds": seed_seconds, "rows": counts}
        if self.args.seed_only:
            return result
        files = self._targets(seeded_at)
        endpoints = [e for e in ENDPOINTS if not self.args.only or e in self.args.only or e in BASELINES]
        with self._lock(), self._gunicorn():
            for endpoint in endpoints:  # warm-up: imports, connections, caches of every worker
                self._wrk(self._target(endpoint, files, 0), self.args.warmup)
            rounds: dict[str, list[dict[str, Any]]] = {endpoint: [] for endpoint in endpoints}
            for number in range(self.args.rounds):
                self._round(number, endpoints, files, rounds)
        # A baseline no selected endpoint needed (`--only` reads: no one-insert) has no samples.
        result["endpoints"] = {endpoint: _summary(samples) for endpoint, samples in rounds.items() if samples}
        for baseline in (ONE_QUERY, ONE_INSERT):
            if baseline in result["endpoints"]:
                result["endpoints"][baseline].update(ratio=1.0, cpu_ratio=1.0)
        result["rounds"] = rounds
        result["config"] = {
            key: getattr(self.args, key)
            for key in ("duration", "baseline_duration", "warmup", "rounds", "connections", "workers", "threads")
        }
        return result

    def _round(
        self, number: int, endpoints: list[str], files: dict[str, Any], rounds: dict[str, list[dict[str, Any]]]
    ) -> None:
        """One round: each endpoint between two runs of its baseline (`baseline_of`), so it is compared
        with the baseline measured around it (seconds apart), not minutes earlier: the load other work
        puts on a shared machine drifts within a run, and it moved the ratios of a whole run by 25-40 %
        before (docs/performance.md, "Load")."""
        seconds = self.args.baseline_duration or max(3, self.args.duration // 3)
        last: tuple[str, dict[str, Any]] | None = None  # the baseline run just before, if any
        for endpoint in endpoints:
            if endpoint in (ONE_QUERY, ONE_INSERT):
                continue
            base = baseline_of(endpoint)
            if last is None or last[0] != base:
                last = (base, self._measure(base, files[base], seconds, number))
                rounds[base].append(last[1])
            before = last[1]
            sample = self._measure(endpoint, self._target(endpoint, files, number + 1), self.args.duration, number)
            after = self._measure(base, files[base], seconds, number)
            rounds[base].append(after)
            baseline_rps = (before["rps"] + after["rps"]) / 2
            baseline_cpu = sum((b["app_cpu_ms"] + b["db_cpu_ms"]) * b["requests"] for b in (before, after)) / max(
                before["requests"] + after["requests"], 1
            )
            sample["baseline"] = base
            sample["baseline_rps"] = baseline_rps
            sample["ratio"] = sample["rps"] / baseline_rps
            sample["cpu_ratio"] = baseline_cpu / max(sample["app_cpu_ms"] + sample["db_cpu_ms"], 1e-9)
            rounds[endpoint].append(sample)
            last = (base, after)

    def _measure(self, endpoint: str, target: Path, seconds: int, number: int) -> dict[str, Any]:
        sample = self._wrk(target, seconds)
        print(
            f"[{self.couples} couples] round {number + 1} {endpoint}: {sample['rps']:.0f} req/s, "
            f"p50 {sample['p50_ms']:.1f} ms, p99 {sample['p99_ms']:.1f} ms, non-2xx {sample['non_2xx_3xx']}, "
            f"CPU per request {sample['app_cpu_ms']:.2f} ms app + {sample['db_cpu_ms']:.2f} ms PostgreSQL",
            flush=True,
        )
        return sample

    # Database ------------------------------------------------------------------------------------

    def _use_database(self) -> None:
        connection.close()
        connection.settings_dict["NAME"] = self.database

    def _prepare(self) -> tuple[Any, float | None]:
        if self.args.reuse and self._exists() and seed.counts()["couples_couple"] == self.couples:
            # Migrations added since the seed (an index, say) apply to the seeded rows as in production.
            call_command("migrate", verbosity=0, interactive=False)
            seed.vacuum_analyze()  # cheap when nothing changed; sets what the benchmark's writes left
            with connection.cursor() as cursor:
                cursor.execute("SELECT max(created_at) FROM accounts_authsession")
                return cursor.fetchone()[0], None
        self._recreate()
        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        print(f"[{self.couples} couples] seeding ...", flush=True)
        seeded_at = seed.seed(couples=self.couples, progress=True)
        return seeded_at, round(time.perf_counter() - started, 1)

    def _admin(self) -> psycopg.Connection[Any]:
        params = connection.get_connection_params()
        for key in ("cursor_factory", "context", "dbname"):
            params.pop(key, None)
        return psycopg.connect(dbname="postgres", autocommit=True, **params)

    def _exists(self) -> bool:
        with self._admin() as admin:
            return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.database]).fetchone() is not None

    def _recreate(self) -> None:
        connection.close()
        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.database)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))

    # Targets -------------------------------------------------------------------------------------

    def _targets(self, seeded_at: Any) -> dict[str, Any]:
        people = self._people = targets.actors(count=self.args.users)
        self._seeded_at = seeded_at
        print(f"[{self.couples} couples] {len(people)} partners of {len({p.couple_id for p in people})} couples")
        files: dict[str, Any] = {}
        for name, lines in targets.baseline_lines(people=people).items():
            files[name] = targets.write(self.out / f"{_slug(name)}.tsv", lines)
        for endpoint in READS:
            if endpoint == PULL:
                continue  # `_target`: just before each run
            lines = targets.read_lines(endpoint=endpoint, people=people, seeded_at=seeded_at)
            files[endpoint] = targets.write(self.out / f"{_slug(endpoint)}.tsv", lines)
        for endpoint in WRITES:
            if endpoint not in ONCE:
                lines = targets.write_lines(endpoint=endpoint, people=people)
                files[endpoint] = targets.write(self.out / f"{_slug(endpoint)}.tsv", lines)
        # Each completion is posted, and each goal accepted, once: one slice for the warm-up and one per
        # round. A slice holds more than wrk can send in its time; if it ran out, repeats would show up
        # as non-2xx (409).
        once = {
            "POST completions": (1500, lambda n: targets.completion_lines(people=people, seeded_at=seeded_at, limit=n)),
            "POST goals/{id}/accept": (500, lambda n: targets.goal_accept_lines(people=people, limit=n)),
            "POST sync/push (10 records)": (
                300,
                lambda n: targets.sync_push_lines(people=people, seeded_at=seeded_at, limit=n),
            ),
        }
        for endpoint in ONCE:
            if self.args.only and endpoint not in self.args.only:
                continue
            per_second, make = once[endpoint]
            per_slice = per_second * max(self.args.duration, self.args.warmup)
            lines = make(per_slice * (self.args.rounds + 1))
            slices = [lines[i * per_slice : (i + 1) * per_slice] for i in range(self.args.rounds + 1)]
            files[endpoint] = [
                targets.write(self.out / f"{_slug(endpoint)}-{i}.tsv", part) for i, part in enumerate(slices)
            ]
        return files

    def _target(self, endpoint: str, files: dict[str, Any], part: int) -> Path:
        """The targets file of one run of `endpoint` (`part`: 0 for the warm-up, then the round's).

        A pull's cursors are taken just before it runs: each partner's cursor is just below their
        13 newest sync stamps (`targets.pull_cursors`) when the pulls begin. Taken once at the start,
        the writes of the warm-up and of every earlier round landed behind them, and the pulls of the
        second round carried three times the changes of the first."""
        if endpoint == PULL:
            lines = targets.read_lines(endpoint=PULL, people=self._people, seeded_at=self._seeded_at)
            return targets.write(self.out / f"{_slug(PULL)}.tsv", lines)
        return files[endpoint][part] if endpoint in ONCE else files[endpoint]

    # Processes -----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        if not self.args.lock:
            yield
            return
        with open(self.args.lock, "a") as handle:
            print(f"[{self.couples} couples] waiting for {self.args.lock} ...", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def _gunicorn(self) -> Iterator[None]:
        import redis

        redis.Redis.from_url(self.args.redis_url).flushdb()  # the benchmark's own Redis database
        env = {**os.environ, "DATABASE_URL": _with_database(self.args.database_url, self.database)}
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.args.port}",
            "--workers",
            str(self.args.workers),
            "--threads",
            str(self.args.threads),
            "--timeout",
            "30",
            "--worker-tmp-dir",
            "/dev/shm",  # noqa: S108 (as in the image: heartbeat files in memory, not on disk)
            "--no-control-socket",
            "--log-level",
            "warning",
        ]
        log = (self.out / "gunicorn.log").open("w")
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready(server)
            self._server_pid = server.pid
            yield
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()

    def _wait_ready(self, server: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited ({server.returncode}); see {self.out / 'gunicorn.log'}")
            url = f"http://127.0.0.1:{self.args.port}/healthz"
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
            time.sleep(0.5)
        raise SystemExit("gunicorn did not become ready within 60 s")

    def _server_processes(self) -> tuple[list[int], list[int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            mine = cursor.fetchone()[0]
        with self._admin() as admin:
            database = cpu.backends(admin, self.database, exclude=mine)
        return cpu.children(self._server_pid), database

    def _wrk(self, target: Path, seconds: int) -> dict[str, Any]:
        workers, database = self._server_processes()
        meters = cpu.Meter(workers), cpu.Meter(database)
        result = self._run_wrk(target, seconds)
        workers, database = self._server_processes()
        app, app_new = meters[0].stop(workers)
        db, db_new = meters[1].stop(database)
        requests = max(result["requests"], 1)
        result["app_cpu_ms"] = 1000 * (app + app_new) / requests
        result["db_cpu_ms"] = 1000 * (db + db_new) / requests
        return result

    def _run_wrk(self, target: Path, seconds: int) -> dict[str, Any]:
        command = [
            "wrk",
            "-t1",
            f"-c{self.args.connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{self.args.port}",
            "--",
            str(target),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        line = next((row for row in output.splitlines() if row.startswith("BENCH_RESULT ")), None)
        if line is None:
            raise SystemExit(f"wrk printed no result:\n{output}")
        raw = json.loads(line.removeprefix("BENCH_RESULT "))
        return {
            "rps": raw["requests"] / (raw["duration_us"] / 1e6),
            "p50_ms": raw["p50_us"] / 1000,
            "p90_ms": raw["p90_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000,
            **raw,
        }


def _summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each statistic over the rounds (one noisy round on a shared machine decides nothing);
    the ratios are the medians of each round's ratio to the baseline measured around it."""
    keys = [key for key in ("ratio", "cpu_ratio") if key in samples[0]]
    paired: dict[str, float] = {key: statistics.median(s[key] for s in samples) for key in keys}
    return {
        **paired,
        "rps": statistics.median(s["rps"] for s in samples),
        "p50_ms": statistics.median(s["p50_ms"] for s in samples),
        "p99_ms": statistics.median(s["p99_ms"] for s in samples),
        "app_cpu_ms": statistics.median(s["app_cpu_ms"] for s in samples),
        "db_cpu_ms": statistics.median(s["db_cpu_ms"] for s in samples),
        "requests": sum(s["requests"] for s in samples),
        "errors": sum(s[key] for s in samples for key in ("non_2xx_3xx", "connect_errors", "read_errors", "timeouts")),
    }


def _slug(name: str) -> str:
    return name.replace("baseline: ", "baseline-").replace("{id}", "id").replace(" ", "-").replace("/", "-")


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"
