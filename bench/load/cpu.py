"""CPU seconds the server spends per request: gunicorn's workers plus their PostgreSQL backends.

On a shared machine the throughput of one run depends on what else runs; the CPU a request costs
hardly does. Read from /proc (Linux) before and after each wrk run.
"""

import os
from pathlib import Path

import psycopg

_TICK = os.sysconf("SC_CLK_TCK")


def process_seconds(pid: int) -> float | None:
    """User + system CPU seconds of one process (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After "pid (comm)": state is field 3, utime and stime are fields 14 and 15 of proc(5).
    return (int(fields[11]) + int(fields[12])) / _TICK


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def backends(admin: psycopg.Connection[tuple[int]], database: str, exclude: int | None) -> list[int]:
    """PostgreSQL backend pids connected to `database` (the gunicorn workers' connections)."""
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'", [database]
    ).fetchall()
    return [pid for (pid,) in rows if pid != exclude]


class Meter:
    """CPU of a set of processes from construction to `stop()`; processes that appear in between
    (a reconnecting backend) count whole."""

    def __init__(self, pids: list[int]) -> None:
        self.before = {pid: seconds for pid in pids if (seconds := process_seconds(pid)) is not None}

    def stop(self, pids: list[int]) -> tuple[float, float]:
        """(seconds of the processes known at start, seconds of the new ones). A process that ended
        in between (a backend closed after CONN_MAX_AGE) is left out: its last seconds are lost."""
        known = 0.0
        for pid, start in self.before.items():
            end = process_seconds(pid)
            known += end - start if end is not None else 0.0
        new = sum(seconds for pid in pids if pid not in self.before and (seconds := process_seconds(pid)) is not None)
        return known, new
