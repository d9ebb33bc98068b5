"""The results table: throughput and latency per endpoint, and its ratio to its baseline (reads: the
one-query baseline; writes: the one-insert baseline, measured around each endpoint in the same run)."""

from typing import Any

ONE_QUERY = "baseline: one query"
READ_TARGET = 0.5  # each read endpoint: at least half the one-query baseline's throughput
WRITE_TARGET = 1 / 3  # each main write: at least a third of the one-insert baseline's
DROP_LIMIT = 0.10  # and its ratio drops at most 10 % from the smallest to the largest size


def ratios(result: dict[str, Any]) -> dict[str, float]:
    """Each endpoint's throughput / the one-query baseline's: the median over rounds of its ratio to the
    baseline runs just before and after it (results of older runs: to the baseline's median)."""
    baseline = result["endpoints"][ONE_QUERY]["rps"]
    return {name: stats.get("ratio", stats["rps"] / baseline) for name, stats in result["endpoints"].items()}


def cpu_table(results: list[dict[str, Any]]) -> str:
    """Server CPU per request (gunicorn workers + PostgreSQL backends) and its ratio to the one-query
    baseline's: what throughput would be on otherwise idle cores, whatever else ran meanwhile."""
    sizes = [r["couples"] for r in results]
    header = "| endpoint | " + " | ".join(f"{n:,} couples: app + db CPU ms/request, CPU ratio" for n in sizes) + " |"
    lines = [header, "|---|" + "---|" * len(sizes)]
    for name in results[0]["endpoints"]:
        cells = []
        for result in results:
            stats, base = result["endpoints"].get(name), result["endpoints"][ONE_QUERY]
            if stats is None:
                cells.append("")
                continue
            total, base_total = stats["app_cpu_ms"] + stats["db_cpu_ms"], base["app_cpu_ms"] + base["db_cpu_ms"]
            ratio = stats.get("cpu_ratio", base_total / total)  # paired with the baseline around it
            cells.append(f"{stats['app_cpu_ms']:.2f} + {stats['db_cpu_ms']:.2f}, {ratio:.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table(results: list[dict[str, Any]]) -> str:
    """A Markdown table: one row per endpoint, columns per size; then the ratio drop per endpoint."""
    sizes = [r["couples"] for r in results]
    header = "| endpoint | " + " | ".join(f"{n:,} couples: req/s, p50 / p99 ms, ratio" for n in sizes) + " |"
    lines = [header, "|---|" + "---|" * len(sizes)]
    by_size = [(r, ratios(r)) for r in results]
    for name in results[0]["endpoints"]:
        cells = []
        for result, ratio in by_size:
            stats = result["endpoints"].get(name)
            if stats is None:
                cells.append("")
                continue
            errors = f", **{stats['errors']} errors**" if stats["errors"] else ""
            cells.append(
                f"{stats['rps']:,.0f}, {stats['p50_ms']:.1f} / {stats['p99_ms']:.1f}, {ratio[name]:.2f}{errors}"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if len(results) > 1:
        first, last = by_size[0][1], by_size[-1][1]
        lines.append("")
        lines.append(f"Ratio change {sizes[0]:,} → {sizes[-1]:,} couples (target: a drop of at most 10 %):")
        for name in first:
            if name in last and not name.startswith("baseline"):
                change = last[name] / first[name] - 1
                lines.append(f"- {name}: {change:+.0%}")
    return "\n".join(lines)
