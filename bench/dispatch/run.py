"""Entry point: `python -m bench.dispatch [options]` (or `python bench/dispatch/run.py`).

Seeds the benchmark database, starts the fake FCM server and the push workers, lets every reminder
fall due in the same minute, runs the dispatcher, waits for the pushes to drain (bounded by
--timeout), measures the baselines, prints the results table and writes them as JSON.
"""

import argparse
import os
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch", description=__doc__)
    parser.add_argument("--rituals", type=int, default=100_000, help="rituals due at once (2 per couple)")
    parser.add_argument(
        "--dates", type=int, default=0, help="accepted dates whose day-before reminder is due at the same instant"
    )
    parser.add_argument("--workers", type=int, default=1, help="celery worker processes for the push queue")
    parser.add_argument("--concurrency", type=int, default=4, help="prefork pool size of each worker")
    parser.add_argument(
        "--dispatchers",
        type=int,
        default=2,
        help="REMINDER_DISPATCHERS: dispatch_reminders runs side by side (a worker of the default queue)",
    )
    parser.add_argument("--latency", type=float, default=0.05, help="fake FCM latency per request, seconds")
    parser.add_argument("--timeout", type=float, default=420, help="give up this long after the due minute")
    parser.add_argument("--stall", type=float, default=45, help="give up after this long without a new push")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("var/bench/dispatch"), help="logs and JSON results")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/couples_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"))
    args = parser.parse_args(argv)
    for url in (args.database_url, args.redis_url):
        if "127.0.0.1" not in url and "localhost" not in url and "[::1]" not in url:
            parser.error(f"{url}: the benchmark only talks to loopback addresses")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # Read by bench.dispatch.settings, in this process and in the workers it starts.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.dispatch.settings"
    os.environ["BENCH_DATABASE_URL"] = args.database_url
    os.environ["BENCH_REDIS_URL"] = args.redis_url
    import django

    django.setup()
    from bench.dispatch.benchmark import Benchmark

    Benchmark(args).run()


if __name__ == "__main__":
    main()
