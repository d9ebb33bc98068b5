"""Worker and beat heartbeats, kept in the cache (Redis) and checked by `/readyz`.

- A daemon thread in each worker's main process, started when the worker is ready, writes
  `heartbeat:worker:<hostname>` every HEARTBEAT_INTERVAL_SECONDS (with an expiry).
- The beat sends `ops.beat_heartbeat` on a static schedule; whichever worker runs it writes
  `heartbeat:beat`. So a stale beat heartbeat means the beat (or every default-queue worker) stopped.

/readyz fails when the newest worker heartbeat or the beat heartbeat is older than
HEARTBEAT_MAX_AGE_SECONDS (0 turns the check off: embedded default, tests).
"""

import logging
import threading
import time
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)
WORKER_PREFIX = "heartbeat:worker:"
BEAT_KEY = "heartbeat:beat"
WORKERS_KEY = "heartbeat:workers"


def _ttl() -> int:
    return max(settings.HEARTBEAT_MAX_AGE_SECONDS * 10, 3600)


def beat_beat(now: float | None = None) -> None:
    cache.set(BEAT_KEY, now or time.time(), timeout=_ttl())


def worker_beat(hostname: str, now: float | None = None) -> None:
    stamp = now or time.time()
    cache.set(f"{WORKER_PREFIX}{hostname}", stamp, timeout=_ttl())
    names = set(cache.get(WORKERS_KEY) or ())
    if hostname not in names:
        cache.set(WORKERS_KEY, sorted(names | {hostname}), timeout=None)


def ages(now: float | None = None) -> dict[str, float | None]:
    """Seconds since the beat's and the freshest worker's heartbeat (None: never seen)."""
    now = now or time.time()
    beat = cache.get(BEAT_KEY)
    names = cache.get(WORKERS_KEY) or []
    stamps = [s for s in cache.get_many([f"{WORKER_PREFIX}{n}" for n in names]).values() if s]
    return {
        "beat": now - beat if beat else None,
        "worker": now - max(stamps) if stamps else None,
    }


@shared_task(name="ops.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    beat_beat()


def start_worker_heartbeat(hostname: str) -> None:
    """Called from Celery's worker_ready signal in the worker's main process."""
    interval = settings.HEARTBEAT_INTERVAL_SECONDS

    def loop() -> None:
        while True:
            try:
                worker_beat(hostname)
            except Exception:  # Redis away: readyz reports that; keep beating once it is back
                logger.warning("worker heartbeat could not be written", exc_info=True)
            time.sleep(interval)

    threading.Thread(target=loop, name="worker-heartbeat", daemon=True).start()


def on_worker_ready(sender: Any = None, **_: Any) -> None:
    hostname = getattr(sender, "hostname", None) or "worker"
    start_worker_heartbeat(hostname)
