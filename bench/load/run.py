"""Entry point: `python -m bench.load [options]` (see bench/load/README.md).

For each --couples N: (re)creates the database `couples_bench_load_<N>` and seeds N couples with a
year of history in bulk SQL, mints access tokens for many partners, starts gunicorn with the
production settings (plus the two baseline views) on loopback, and drives each endpoint with wrk
(1 thread): the two baselines first, then the key mobile endpoints, each for --duration seconds,
rotating over the partners' tokens. Prints the table and writes JSON under --out.
"""

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/couples_bench_load"
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument(
        "--couples", type=int, action="append", help="couples to seed; repeat for several sizes (default 1000, 10000)"
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per endpoint and round")
    parser.add_argument(
        "--baseline-duration",
        type=int,
        default=0,
        help="seconds of the one-query baseline before and after each endpoint (default: duration / 3, >= 3)",
    )
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk per endpoint before measuring")
    parser.add_argument("--rounds", type=int, default=2, help="measurement rounds (median over rounds)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (wrk runs 1 thread)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument("--users", type=int, default=2000, help="partners whose tokens the requests rotate over")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database of that size")
    parser.add_argument("--seed-only", action="store_true", help="seed the databases, measure nothing")
    parser.add_argument(
        "--lock", default="", help="flock this file while measuring (not while seeding), e.g. /tmp/bench.lock"
    )
    parser.add_argument("--only", action="append", help="measure only these endpoints (names as in the table)")
    parser.add_argument("--out", type=Path, default=Path("var/bench/load"), help="targets, logs and JSON results")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"))
    args = parser.parse_args(argv)
    args.couples = args.couples or [1000, 10000]
    for url in (args.database_url, args.redis_url):
        if not any(host in url for host in LOOPBACK):
            parser.error(f"{url}: the benchmark only talks to loopback addresses")
    return args


def environment(args: argparse.Namespace) -> dict[str, str]:
    """What the production settings need, for this process and for gunicorn."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
        # Fresh random secrets per run: nothing minted here is valid anywhere else.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "JWT_SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        # Tokens are minted once per size and must outlive its measurements.
        "JWT_ACCESS_MINUTES": "240",
        "LOG_LEVEL": "WARNING",
        # Production renews each worker's connection every 60 s; here each keeps one for the whole run,
        # so the CPU meter (bench/load/cpu.py) sees every PostgreSQL backend from start to end: the
        # seconds of a backend that exits between two readings would be lost.
        "DB_CONN_MAX_AGE": "3600",
        # A sender may nudge 20 times a day: several runs (or bench.load.profile) on one day would use
        # it up and measure 429s, which cost next to nothing. The quota's count runs on every send.
        "NUDGE_DAILY_QUOTA": "100000",
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.update(environment(args))
    import django

    django.setup()
    from bench.load.benchmark import Benchmark

    results = []
    for couples in args.couples:
        results.append(Benchmark(args, couples).run())
    if results and not args.seed_only:
        from bench.load.report import cpu_table, table

        print(table(results))
        print()
        print(cpu_table(results))
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str))
        print(f"results: {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
