"""The embedded default's SQLite holds up under the three processes `make run` starts.

The web server, the Celery worker and beat each write the one database file. A transaction that
reads before it writes used to fail with "database is locked" (a 503 in the API) whenever another
process was writing at that moment: SQLite refuses to wait for a lock upgrade that could deadlock.
Here real processes load the embedded settings and run such transactions at the same time.
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each process: 20 transactions that read, pause, then write, all starting at the same instant.
WRITER = """
import sys, time, django
django.setup()
from django.db import connection, transaction
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.001)
for _ in range(20):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM counted")
            time.sleep(0.01)
            cursor.execute("INSERT INTO counted VALUES (1)")
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0])
"""

PROCESSES = 3


def test_processes_reading_then_writing_wait_for_each_other_instead_of_failing(tmp_path):
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as setup:
        setup.execute("CREATE TABLE counted (x integer)")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    start = time.time() + 3  # after every process has set Django up
    writers = [
        subprocess.Popen(  # noqa: S603 (this interpreter, a fixed script)
            [sys.executable, "-c", WRITER, str(start)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    results = [writer.communicate(timeout=120) for writer in writers]

    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err[-2000:]
        assert out.strip() == "wal"
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT count(*) FROM counted").fetchone()[0] == PROCESSES * 20
