"""Settings of the push benchmark: the test settings on a database of its own, DEBUG off, Celery
tasks queued to Redis (not run inline, as in production: no worker drains them here)."""

from config.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = "couples_bench_push"  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/6"}}
CELERY_BROKER_URL = "redis://127.0.0.1:6379/6"
CELERY_TASK_ALWAYS_EAGER = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
RATE_LIMITS_ENABLED = False
