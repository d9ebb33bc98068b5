"""A private stack for the fault suite: its own PostgreSQL, Redis, gunicorn, Celery worker and beat.

Everything listens on free loopback ports and lives in one temporary directory, so stopping,
restarting and killing them never touches the machine's shared PostgreSQL (5432) or Redis (6379)
that other test runs use. PostgreSQL comes from /usr/lib/postgresql/<version>/bin (initdb refuses
to run as root: then the cluster belongs to the `postgres` user, through `runuser`).
"""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "fault-suite-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30.0, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            result = condition()
            if result:
                return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(every)


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class Service:
    """A process in its own session (so its whole group can be signalled), logging to a file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log_path = name, argv, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own binaries, fixed arguments)
                self.argv, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def send_signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        if self.process is None:
            return
        self.send_signal(signum)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.send_signal(signal.SIGKILL)
            self.process.wait(5)
        # A SIGKILLed parent leaves no orphans behind in its group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> list[int]:
        """Pids of the processes this one started (gunicorn's workers, Celery's pool)."""
        if self.process is None:
            return []
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                # pid (comm) state ppid …: comm may hold spaces, so split after its closing parenthesis.
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    found.append(int(stat.parent.name))
        return found


class Stack:
    def __init__(self, workdir: Path, fcm_url: str) -> None:
        self.dir = workdir
        self.pg_port, self.redis_port, self.web_port = free_port(), free_port(), free_port()
        self.pg_data = workdir / "pgdata"
        self.mail_dir = workdir / "mail"
        self.mail_dir.mkdir()
        self.as_postgres = os.geteuid() == 0
        self.database_url = f"postgres://postgres@127.0.0.1:{self.pg_port}/couples"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TEST_", "PYTEST_"))},
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": SECRET,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "VAR_DIR": str(workdir / "var"),
            "PUSH_PROVIDER": "fcm",
            "FCM_ENDPOINT": fcm_url,
            "FCM_PROJECT_ID": "couples-faults",
            # Short leases, so a killed worker's rows come back within the suite's patience.
            "PUSH_TASK_TIME_LIMIT": "5",
            "PUSH_LEASE_SECONDS": "8",
            "OUTBOX_RETRY_SECONDS": "3",
            "OUTBOX_CLAIM_SECONDS": "8",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            # The load signs in and asks for resets far more often than a person: lift those limits,
            # keep them counted (the fallback limiter runs during the Redis outage).
            "RATE_LIMIT_TOKEN": "100000/300",
            "RATE_LIMIT_TOKEN_EMAIL": "100000/300",
            "RATE_LIMIT_PASSWORD_RESET": "100000/3600",
            "RATE_LIMIT_PASSWORD_RESET_EMAIL": "100000/3600",
            "RATE_LIMIT_REGISTER": "100000/3600",
            "RATE_LIMIT_COUPLE_JOIN_USER": "100000/3600",
            "RATE_LIMIT_COUPLE_JOIN_IP": "100000/3600",
            "NUDGE_DAILY_QUOTA": "100000",
            "DB_CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.redis = Service(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            self.env,
            workdir / "redis.log",
        )
        self.web = Service(
            "web",
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                "3",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
            ],
            self.env,
            workdir / "web.log",
        )
        self.worker = Service(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--queues",
                "default,push",
                "--concurrency",
                "2",
                "-n",
                f"faults-{self.web_port}@%h",
                "--loglevel",
                "INFO",
            ],
            self.env,
            workdir / "worker.log",
        )
        self.beat = Service(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--schedule",
                str(workdir / "beat-schedule"),
                "--loglevel",
                "INFO",
            ],
            self.env,
            workdir / "beat.log",
        )

    # PostgreSQL ------------------------------------------------------------------------------------

    def _pg(self, *argv: str) -> None:
        pg = postgres_bin()
        assert pg is not None
        command = [str(pg / argv[0]), *argv[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603

    def init_postgres(self) -> None:
        self.pg_data.mkdir()
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.pg_data, "postgres")
            os.chmod(self.dir, 0o755)  # noqa: S103 (our temp dir: the postgres user writes its socket and log here)
        self._pg("initdb", "-D", str(self.pg_data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start_postgres()
        with psycopg.connect(f"postgres://postgres@127.0.0.1:{self.pg_port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE couples")

    def start_postgres(self) -> None:
        options = (
            f"-p {self.pg_port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=60"
        )
        self._pg("pg_ctl", "-D", str(self.pg_data), "-l", str(self.dir / "postgres.log"), "-w", "-o", options, "start")

    def stop_postgres(self) -> None:
        self._pg("pg_ctl", "-D", str(self.pg_data), "-m", "fast", "-w", "stop")

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(statement, params).fetchall()

    # The whole stack --------------------------------------------------------------------------------

    def manage(self, *argv: str) -> None:
        subprocess.run([sys.executable, "manage.py", *argv], env=self.env, cwd=ROOT, check=True, timeout=300)  # noqa: S603

    def start_redis(self) -> None:
        self.redis.start()
        wait_for(lambda: port_open(self.redis_port), "redis")

    def start(self) -> None:
        self.init_postgres()
        self.start_redis()
        self.manage("migrate", "--noinput", "-v", "0")
        self.web.start()
        wait_for(lambda: port_open(self.web_port), "gunicorn")
        self.start_worker()
        self.beat.start()

    def start_worker(self) -> None:
        seen = len(self.worker.log()) if self.worker.log_path.exists() else 0
        self.worker.start()
        wait_for(lambda: "ready." in self.worker.log()[seen:], "celery worker", timeout=60)

    def close(self) -> None:
        for service in (self.beat, self.worker, self.web, self.redis):
            service.stop(timeout=10)
        with contextlib.suppress(Exception):
            self.stop_postgres()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"
