"""Settings of the sync benchmark: the test settings on a database of its own, DEBUG off."""

from config.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = "couples_bench_sync"  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/9"}}
ALLOWED_HOSTS = ["testserver"]
RATE_LIMITS_ENABLED = False
