"""`make run` in a temporary directory: the embedded default (SQLite, filesystem broker, demo data)
exactly as a new user starts it, as a process group of its own, and how it stops."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# What would point `make run` away from its embedded default; the test settings are pytest's own.
_NOT_EMBEDDED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE")
STARTUP_SECONDS = 240  # migrations and demo data on a fresh SQLite file, on a busy 2-core machine
STOP_SECONDS = 10


@dataclass
class Answer:
    status: int
    body: Any


@dataclass
class EmbeddedServer:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def call(self, method: str, path: str, *, token: str | None = None, body: Any = None) -> Answer:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)  # noqa: S310 (loopback)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")[:2000]
        return Answer(status, parsed)

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def session_members(session_id: int) -> list[str]:
    """The live processes of a session (started with start_new_session, so the session is ours)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        state, session = fields[0], int(fields[3])
        if session == session_id and state != "Z":
            found.append(f"{entry.name} {cmdline.strip()}")
    return found


def stop(server: EmbeddedServer, sig: signal.Signals) -> float:
    """Sends `sig` to the whole process group, as a terminal (Ctrl-C) or a process manager does;
    returns how long until no process of the session was left (or raises)."""
    started = time.monotonic()
    os.killpg(server.process.pid, sig)
    while time.monotonic() - started < STOP_SECONDS:
        if not session_members(server.process.pid):
            server.process.wait(timeout=5)
            return time.monotonic() - started
        time.sleep(0.1)
    left = session_members(server.process.pid)
    for line in left:
        os.kill(int(line.split()[0]), signal.SIGKILL)  # ours: leave nothing behind for the next test
    raise AssertionError(f"{sig.name}: still running after {STOP_SECONDS} s: {left}")


@contextmanager
def make_run(var_dir: Path) -> Iterator[EmbeddedServer]:
    """`make run` with its runtime files under `var_dir`, until it answers /healthz; killed after."""
    port = _free_port()
    env = {name: value for name, value in os.environ.items() if name not in _NOT_EMBEDDED}
    env |= {"VAR_DIR": str(var_dir), "PORT": str(port)}
    log = var_dir / "make-run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", "run"],  # noqa: S607 (make from PATH, as the README says)
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = EmbeddedServer(process=process, base_url=f"http://127.0.0.1:{port}", log=log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not (_listening(port) and server.call("GET", "/healthz").status == 200):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"make run did not start:\n{server.log_tail()}")
            time.sleep(0.5)
        yield server
    finally:
        if session_members(process.pid):
            for line in session_members(process.pid):
                os.kill(int(line.split()[0]), signal.SIGKILL)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
