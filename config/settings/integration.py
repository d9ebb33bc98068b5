"""Settings of the real Celery worker processes that reliability tests start (worker kill, etc.).

The test process runs `config.settings.test`; the worker it starts runs this module, so both talk to
the same PostgreSQL test database and the same Redis database. The test passes them in:

- `INTEGRATION_DATABASE_NAME`: the live test database (`connection.settings_dict["NAME"]`, e.g.
  `test_couples_gw0`); host, user and password still come from `TEST_DATABASE_URL`.
- `INTEGRATION_BROKER_URL`: the Redis URL the test process publishes to (its `broker_url`).
- `PUSH_PROVIDER`, `FCM_ENDPOINT`, `FCM_PROJECT_ID`: read by `base` as usual (the fake FCM server).

Time limits are short so a test can wait out a lease in seconds. The lease must stay longer than the
task time limit: a row still `sending` after its lease then belongs to a dead worker.
"""

from config.env import env_int, env_str

from .test import *  # noqa: F403

# CELERY: a real worker, never eager
# ------------------------------------------------------------------------------
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = env_str("INTEGRATION_BROKER_URL", CELERY_BROKER_URL)  # noqa: F405
REDIS_URL = CELERY_BROKER_URL
CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}

# DATABASE: the test process's live test database, not the `test_` name Django would derive
# ------------------------------------------------------------------------------
DATABASES["default"]["NAME"] = env_str("INTEGRATION_DATABASE_NAME", DATABASES["default"]["NAME"])  # noqa: F405
# Lets a test find (and wait for) the worker's own database sessions in pg_stat_activity.
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = "couples-integration-worker"  # noqa: F405
# As in production (the test process itself closes its connection after each test): a worker keeps
# its session between tasks (tests/notifications/test_worker_kill.py checks it).
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405

# PUSH: short limits, lease > time limit
# ------------------------------------------------------------------------------
PUSH_TASK_TIME_LIMIT = env_int("PUSH_TASK_TIME_LIMIT", 5)
PUSH_LEASE_SECONDS = env_int("PUSH_LEASE_SECONDS", 8)
if PUSH_LEASE_SECONDS <= PUSH_TASK_TIME_LIMIT:
    raise ValueError("PUSH_LEASE_SECONDS must be longer than PUSH_TASK_TIME_LIMIT")

LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")}}  # noqa: F405
