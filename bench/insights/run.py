"""Entry point: `python -m bench.insights [--couples N] [--workers 2]`.

Seeds `--couples` couples, each with a week of activity in its own zone (a daily ritual and its
completions, nudges seen and answered, shared and private check-ins, daily questions), all weeks
over; then `--workers` processes run the finaliser side by side (SKIP LOCKED batches) until every
week is stored, and the time is reported. Then the replay checks: a second finalise claims nothing,
a finalise of weeks handed back changes no stored byte, and delivering the same week twice writes
each partner's `weekly_report_ready` once.
"""

import argparse
import os
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/couples_insights_bench"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.insights", description=__doc__)
    parser.add_argument("--couples", type=int, default=100_000, help="couples with a week of activity")
    parser.add_argument("--workers", type=int, default=2, help="finaliser processes side by side")
    parser.add_argument("--batch-size", type=int, default=500, help="couple-weeks claimed per transaction")
    parser.add_argument("--replay", type=int, default=1000, help="couple-weeks handed back for the replay check")
    parser.add_argument("--out", type=Path, default=Path("var/bench/insights"), help="JSON results")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    args = parser.parse_args(argv)
    if not any(host in args.database_url for host in ("127.0.0.1", "localhost", "[::1]")):
        parser.error(f"{args.database_url}: the benchmark only talks to loopback addresses")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.insights.settings"
    os.environ["BENCH_DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from bench.insights.benchmark import run

    run(args)


if __name__ == "__main__":
    main()
