"""Liveness and readiness probes for the load balancer and the orchestrator."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from config.observability import readiness

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches no dependency, so a database outage never restarts web."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, the cache (Redis) and the Celery broker answer, every migration is
    applied, and the beat and a worker sent a heartbeat recently (config/observability/readiness.py)."""
    checks: dict[str, str] = {}
    probes = {"database": _check_database, "migrations": readiness.check_migrations}
    if settings.REDIS_URL:
        probes["redis"] = lambda: _check_redis(settings.REDIS_URL)
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")) and settings.CELERY_BROKER_URL != (
        settings.REDIS_URL
    ):
        probes["broker"] = lambda: _check_redis(settings.CELERY_BROKER_URL)
    for name, probe in probes.items():
        try:
            probe()
            checks[name] = "ok"
        except Exception:
            logger.exception("readiness check %s failed", name)
            checks[name] = "unavailable"
    try:
        checks.update(readiness.check_heartbeats())
    except Exception:
        logger.exception("readiness check heartbeats failed")
        checks.update({"beat": "unavailable", "worker": "unavailable"})
    ready = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
