"""Test settings: real PostgreSQL and Redis (DESIGN §2), fast password hashing, eager Celery."""

import os

import dj_database_url

from config.env import env_str

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production-7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a"
SIMPLE_JWT["SIGNING_KEY"] = SECRET_KEY  # noqa: F405

DATABASES = {
    "default": dj_database_url.parse(
        env_str("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/couples"), conn_max_age=0
    )
}
DATABASES["default"]["ENGINE"] = "config.postgresql"  # as in production
DATABASES["default"]["OPTIONS"] = dict(POSTGRESQL_OPTIONS)  # noqa: F405 (as in production)
# Each xdist worker gets its own Redis database (15, 14, ... down from TEST_REDIS_DB_BASE), because
# tests clear the cache between them and a shared database would wipe another worker's counters.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_redis_db = int(env_str("TEST_REDIS_DB_BASE", "15")) - int(_worker.removeprefix("gw") or 0)
REDIS_URL = f"{env_str('TEST_REDIS_URL', 'redis://127.0.0.1:6379').rstrip('/')}/{_redis_db}"
CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = True
# Pushes queued in the request (eager Celery then sends them there, on its database connection);
# tests/notifications/test_publisher.py runs the publisher's thread.
PUSH_PUBLISH_WINDOW_MS = 0
# Read on every write: a test's rolled-back templates must not linger for the next test
# (tests/messaging/test_message_templates.py turns the cache on).
MESSAGE_COPY_CACHE_SECONDS = 0
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
HEARTBEAT_MAX_AGE_SECONDS = 0  # no worker or beat runs beside the suite; tests turn it on where they need it
# Billing: tests run against fake stores on loopback (tests/billing/fakes.py), which override these.
PLAY_API_BASE_URL = "http://127.0.0.1:9"
PLAY_PUSH_JWKS_URL = "http://127.0.0.1:9/oauth2/v3/certs"
PLAY_PUSH_AUDIENCE = "https://api.couples.test/api/v1/billing/play/notifications"
PLAY_PUSH_SERVICE_ACCOUNT = "rtdn-push@couples-test.iam.gserviceaccount.com"
# Never the real providers: tests serve their own key sets on loopback (tests/identity/fake_jwks.py)
# and point these at it; anything else meets a closed port and answers 503 provider_unavailable.
APPLE_JWKS_URL = "http://127.0.0.1:9/apple/keys"
GOOGLE_JWKS_URL = "http://127.0.0.1:9/google/certs"
APPLE_CLIENT_IDS = ["com.example.couples.test"]
GOOGLE_CLIENT_IDS = ["test-ios.apps.googleusercontent.com", "test-android.apps.googleusercontent.com"]
