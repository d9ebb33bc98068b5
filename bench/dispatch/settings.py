"""Settings of the dispatch benchmark's processes: the runner (seeding, dispatcher) and its workers.

Production-like where speed is concerned: DEBUG off, persistent database connections, Redis broker,
and base's Celery settings (late acks, prefetch 1, results ignored). The data lives in its own
database (`couples_bench`, created and migrated by the runner) and the broker in its own Redis
database; pushes go to the fake FCM server the runner starts on loopback (`FCM_ENDPOINT`).
"""

import dj_database_url

from config.env import env_int, env_str
from config.settings.base import *  # noqa: F403

SECRET_KEY = "bench-only-secret-key-never-used-for-anything-real-4f1c9a7e2b"  # noqa: S105
SIMPLE_JWT["SIGNING_KEY"] = SECRET_KEY  # noqa: F405

DATABASES = {
    "default": dj_database_url.parse(
        env_str("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/couples_bench"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
REDIS_URL = env_str("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = False

PUSH_PROVIDER = "fcm"
FCM_PROJECT_ID = "couples-bench"

LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")}}  # noqa: F405
