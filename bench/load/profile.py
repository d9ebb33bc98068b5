"""Profile requests through the whole WSGI stack, in-process, against a seeded benchmark database.

    .venv/bin/python -m bench.load.profile --couples 1000 --requests 2000
    .venv/bin/python -m bench.load.profile --couples 1000 --only couple --profile couple --top 40
    .venv/bin/python -m bench.load.profile --couples 1000 --only "POST nudges" --queries --requests 1

Same settings as the benchmark's gunicorn (`bench.load.settings`: production plus the baselines),
the same requests (`targets.py`: rotating over many partners' tokens), but no server, network or
load generator: each request is `application(environ, start_response)` and its response closed,
so Django's request signals (connection health checks, `CONN_MAX_AGE`) run as under gunicorn. It
prints the CPU time per request of each endpoint and its ratio to the one-query baseline (the
figure the benchmark's throughput ratio approaches on idle cores), and with `--profile NAME` the
cProfile of that endpoint.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from bench.load.run import DEFAULT_DATABASE, environment

# As in bench.load.benchmark (not imported before Django is set up).
NAMES = [
    "baseline: constant",
    "baseline: one query",
    "rituals/today",
    "rituals",
    "couple",
    "notifications",
    "sync/pull",
    "widget",
    "ritual-templates",
    "prompts/today",
    "date-ideas",
    "baseline: one insert",
    "POST completions",
    "POST nudges",
    "POST check-ins",
    "PATCH rituals/{id}",
    "POST goals/{id}/accept",
    "POST sync/push (10 records)",
]
WRITES = NAMES[NAMES.index("POST completions") :]
ONCE = ["POST completions", "POST goals/{id}/accept", "POST sync/push (10 records)"]  # each sent once


def _environ(method: str, path: str, token: str, body: str = "") -> dict[str, Any]:
    parts = urlsplit(path)
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8765",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8765",
        "HTTP_ACCEPT": "application/json",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body.encode()),
        "CONTENT_LENGTH": str(len(body.encode())),
        "CONTENT_TYPE": "application/json" if body else "",
        "wsgi.errors": sys.stderr,
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return environ


def _requests(lines: list[str]) -> list[tuple[str, str, str, str]]:
    return [tuple(line.split("\t", 3)) for line in lines]  # type: ignore[misc]


def _run(application: Callable[..., Any], requests: list[tuple[str, str, str, str]], count: int) -> float:
    """CPU seconds of this process for `count` requests (rotating over `requests`)."""
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    started = time.process_time()
    for index in range(count):
        method, path, token, body = requests[index % len(requests)]
        response = application(_environ(method, path, token, body), start_response)
        b"".join(response)
        response.close()
        if not statuses[-1].startswith(("200", "201")):
            raise SystemExit(f"{method} {path}: {statuses[-1]}")
    return time.process_time() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load.profile", description=__doc__)
    parser.add_argument("--couples", type=int, default=1000, help="which seeded database (couples_bench_load_<N>)")
    parser.add_argument("--requests", type=int, default=1000, help="requests per endpoint")
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--only", action="append", help="endpoints to time (the baselines run too)")
    parser.add_argument(
        "--alone",
        action="store_true",
        help="no baselines, only the --only endpoints (under callgrind: compare two --requests)",
    )
    parser.add_argument("--profile", action="append", default=[], help="cProfile this endpoint")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--dump", default="", help="also write each profile to <DUMP>-<endpoint>.prof")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one request of each endpoint")
    args = parser.parse_args(argv)

    database = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)  # as bench.load's --database-url
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    os.environ.update(environment(argparse.Namespace(database_url=database, redis_url=redis)))
    os.environ["DATABASE_URL"] = f"{database}_{args.couples}"
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from bench.load import targets

    application = get_wsgi_application()
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(created_at) FROM accounts_authsession")
        seeded_at = cursor.fetchone()[0]
    people = targets.actors(count=args.users)
    lines = targets.baseline_lines(people=people)
    for name in NAMES[2 : NAMES.index("baseline: one insert")]:
        lines[name] = targets.read_lines(endpoint=name, people=people, seeded_at=seeded_at)
    count = args.requests * (2 + len(args.profile)) + 200  # each once: warm-up, timing, profiles, queries
    once = {
        "POST completions": lambda: targets.completion_lines(people=people, seeded_at=seeded_at, limit=count),
        "POST goals/{id}/accept": lambda: targets.goal_accept_lines(people=people, limit=count),
        "POST sync/push (10 records)": lambda: targets.sync_push_lines(people=people, seeded_at=seeded_at, limit=count),
    }
    names = [n for n in NAMES if (n.startswith("baseline") and not args.alone) or not args.only or n in args.only]
    for name in WRITES:
        if name in once and name in names:
            lines[name] = once[name]()
        elif name not in once:
            lines[name] = targets.write_lines(endpoint=name, people=people)
    per_request: dict[str, float] = {}
    used: dict[str, int] = {}  # requests of each ONCE list sent so far

    def run(name: str, count: int) -> float:
        requests = _requests(lines[name])
        if name in ONCE:
            requests = requests[used.get(name, 0) :]
            used[name] = used.get(name, 0) + count
        return _run(application, requests, count)

    if args.queries:
        from django.test.utils import CaptureQueriesContext

        for name in names:
            with CaptureQueriesContext(connection) as captured:
                run(name, 1)
            print(f"\n--- {name}: {len(captured)} statements")
            for query in captured.captured_queries:
                print(f"  {query['sql'][: int(os.environ.get('SQL_WIDTH', 300))]}")
    for name in names:
        run(name, min(200, args.requests))  # warm-up
        per_request[name] = run(name, args.requests) / args.requests
    for name in names:
        base = per_request.get("baseline: one insert" if name in WRITES else "baseline: one query")
        ratio = f", ratio {base / per_request[name]:.2f}" if base else ""
        print(f"{name:22} {1000 * per_request[name]:7.2f} ms CPU/request{ratio}")
    for name in args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not waits on PostgreSQL
        profiler.enable()
        run(name, args.requests)
        profiler.disable()
        print(f"\n--- {name}: {args.requests} requests")
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
        if args.dump:
            profiler.dump_stats(f"{args.dump}-{name.replace('/', '-').replace(' ', '')}.prof")


if __name__ == "__main__":
    main()
