"""The processes the benchmark starts (fake FCM server, Celery workers) and CPU accounting from /proc.

Every process is started in its own session and stopped by its own process group id; nothing is
ever signalled by name. Every wait is bounded.
"""

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    pass


def _stop_group(process: subprocess.Popen[Any], grace: float) -> None:
    """SIGTERM to the process group, then SIGKILL after `grace` seconds."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass
    with contextlib.suppress(ProcessLookupError):  # pool children left behind by a killed main process
        os.killpg(process.pid, signal.SIGKILL)


class FakeServer:
    """bench.dispatch.fake_server in a child process, driven over its stdin/stdout."""

    def __init__(self, *, latency: float, log_path: Path) -> None:
        command = [sys.executable, "-m", "bench.dispatch.fake_server", "--latency", str(latency)]
        self._log: IO[bytes] = log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            start_new_session=True,
        )
        self.url = str(self._read(timeout=20)["url"])

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise BenchError(f"the fake FCM server did not answer within {timeout} s")
        line = self.process.stdout.readline()
        if not line:
            raise BenchError(f"the fake FCM server exited ({self.process.poll()})")
        return dict(json.loads(line))

    def ask(self, command: str, timeout: float = 30) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._read(timeout)

    def received(self) -> int:
        return int(self.ask("count")["received"])

    def cpu_seconds(self) -> float:
        return float(self.ask("count")["cpu"])

    def dump(self, path: Path) -> list[tuple[float, str, str]]:
        self.ask(f"dump {path}", timeout=120)
        return [(float(t), str(c), str(k)) for t, c, k in json.loads(path.read_text())]

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.ask("quit", timeout=0.1)
        except (BenchError, BrokenPipeError, OSError):
            pass
        _stop_group(self.process, grace=5)
        self._log.close()


class Workers:
    """`celery -A config worker -Q <queue>` processes (prefork), each in its own session."""

    def __init__(
        self, *, count: int, concurrency: int, env: dict[str, str], log_dir: Path, queue: str = "push"
    ) -> None:
        self.log_paths = [log_dir / f"worker-{queue}-{n}.log" for n in range(count)]
        self.processes: list[subprocess.Popen[bytes]] = []
        options = ["-Q", queue, "--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "INFO"]
        options += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        for n, log_path in enumerate(self.log_paths):
            name = f"bench-{queue}-{n}@%h"
            with log_path.open("wb") as log:
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "celery", "-A", "config", "worker", "-n", name, *options],
                        cwd=REPO,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for process, log_path in zip(self.processes, self.log_paths, strict=True):
            while " ready." not in log_path.read_text(errors="replace"):
                if process.poll() is not None:
                    raise BenchError(f"worker exited with {process.returncode}; see {log_path}")
                if time.monotonic() > deadline:
                    raise BenchError(f"worker not ready after {timeout} s; see {log_path}")
                time.sleep(0.1)

    def pids(self) -> list[int]:
        """Main processes and their pool children."""
        mains = [p.pid for p in self.processes if p.poll() is None]
        return mains + [pid for pid, parent in _parents().items() if parent in mains]

    def log_lines(self, needle: str) -> int:
        return sum(path.read_text(errors="replace").count(needle) for path in self.log_paths)

    def stop(self) -> None:
        for process in self.processes:
            _stop_group(process, grace=10)


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a live process, from /proc (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


class CpuTracker:
    """CPU used since `start()` by groups of processes that come and go (pool children, database
    sessions): each process is sampled whenever `sample()` runs, and its last value counts even
    after it exits. Call `sample()` often (the drain loop does, twice a second)."""

    # Finding the processes scans all of /proc, which cost the runner more CPU than reading them;
    # they are looked up again only this often (database sessions and pool children live long).
    FIND_EVERY_SECONDS = 3.0

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self.baseline: dict[str, dict[int, float]] = {name: {} for name in groups}
        self.latest: dict[str, dict[int, float]] = {name: {} for name in groups}
        self.found: dict[str, list[int]] = {}
        self.found_at = 0.0

    def start(self) -> None:
        self._find()
        for name, pids in self.found.items():
            self.baseline[name] = {pid: cpu for pid in pids if (cpu := process_cpu(pid)) is not None}
            self.latest[name] = dict(self.baseline[name])

    def _find(self) -> None:
        self.found = {name: find() for name, find in self.groups.items()}
        self.found_at = time.monotonic()

    def sample(self) -> None:
        if time.monotonic() - self.found_at > self.FIND_EVERY_SECONDS:
            self._find()
        for name, pids in self.found.items():
            for pid in pids:
                cpu = process_cpu(pid)
                if cpu is not None:
                    self.latest[name][pid] = cpu

    def totals(self) -> dict[str, float]:
        return {
            name: sum(cpu - self.baseline[name].get(pid, 0.0) for pid, cpu in latest.items())
            for name, latest in self.latest.items()
        }


def pids_matching(command_part: str) -> list[int]:
    """Processes whose command line contains `command_part` (e.g. the PostgreSQL backends serving
    the benchmark database: their title names it). Only read, never signalled."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if command_part in command:
                found.append(int(entry.name))
    return found


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, summed over cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS
