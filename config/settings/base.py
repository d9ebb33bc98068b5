"""Settings shared by every environment.

Environment-specific files (`local`, `test`, `production`) import everything from here and change
only what differs. Every value that differs between machines is read from the environment through
`config.env`; `docs/operations.md` lists them all.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime files of the embedded default (SQLite database, Celery filesystem broker).
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

# CORE
# ------------------------------------------------------------------------------
SECRET_KEY = env_str("SECRET_KEY", "")
# Old keys still accepted for signatures (password-reset links, admin sessions) during a rotation.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Public base URL of the app's deep links (invites, password reset). The app registers this
# scheme/host as a universal link.
APP_DEEP_LINK_BASE = env_str("APP_DEEP_LINK_BASE", "https://app.example.com")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "anymail",
]
LOCAL_APPS = [
    "accounts",
    "couples",
    "rituals",
    "notifications",
    "sync",
    "billing",
    "quizzes",
    "identity",
    "messaging",
    "insights",
    "dates",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The request's language for get_language() (Accept-Language, then me.locale, then English):
    # responses, errors and content translations (docs/architecture.md, "Languages and message copy").
    "config.i18n.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.api.idempotency.IdempotencyMiddleware",
    # Records the signed-in staff member as the author of every content change (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE
# ------------------------------------------------------------------------------
# Embedded default: SQLite under var/. Set DATABASE_URL for PostgreSQL (psycopg 3).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat are three processes writing one file. A transaction that
    # reads and then writes takes SQLite's write lock only at its first write; if another process
    # holds it then, SQLite answers "database is locked" at once (waiting could deadlock), and the
    # request ended in a 503. BEGIN IMMEDIATE takes the lock up front, where the busy timeout waits
    # for it; WAL lets reads go on beside the one writer (tests/test_sqlite_embedded.py).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# PostgreSQL: parameters bound by the server, and each statement a connection has run five times
# prepared (psycopg's automatic preparation), so PostgreSQL plans it once per connection rather than
# on every request: planning a write's small statements took longer than running them
# (docs/performance.md). DB_PREPARED_STATEMENTS=false behind a transaction-mode pooler that does not
# keep prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
POSTGRESQL_OPTIONS = {
    "server_side_binding": True,
    "prepare_threshold": 5 if env_bool("DB_PREPARED_STATEMENTS", True) else None,
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "config.postgresql"  # Django's, with the C timestamptz loader
    DATABASES["default"]["OPTIONS"] = dict(POSTGRESQL_OPTIONS)

# CACHE / REDIS
# ------------------------------------------------------------------------------
# Redis backs the cache and the rate limits, so limits are shared by every web process.
# Without REDIS_URL (embedded default) a per-process memory cache is used.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "couples"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# AUTH
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password reset links stay valid for one hour.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)

# COUPLES
# ------------------------------------------------------------------------------
INVITE_TTL_HOURS = env_int("INVITE_TTL_HOURS", 48)
# Shared records of an ended couple are kept this long (support, mistaken unpair), then purged.
COUPLE_ARCHIVE_DAYS = env_int("COUPLE_ARCHIVE_DAYS", 30)

# SYNC
# ------------------------------------------------------------------------------
# Records one `POST sync/push` may carry; past it a JSON 413 `too_many_records` tells the app to
# push in parts (docs/sync.md). 10,000 records take about 10 s on 2 cores (docs/performance.md).
SYNC_PUSH_MAX_RECORDS = env_int("SYNC_PUSH_MAX_RECORDS", 10_000)
# A push stops applying records after this long and answers 200, listing the rest as rejected with
# `deadline` (retry): well inside gunicorn's --timeout (30 s), so a push never ends in its HTML page.
SYNC_PUSH_TIME_BUDGET_SECONDS = env_int("SYNC_PUSH_TIME_BUDGET_SECONDS", 20)

# PUSH
# ------------------------------------------------------------------------------
# "console" logs pushes (development); "fcm" sends through Firebase Cloud Messaging HTTP v1.
PUSH_PROVIDER = env_str("PUSH_PROVIDER", "console")
# Path to the service-account JSON of the Firebase project.
FCM_CREDENTIALS_FILE = env_str("FCM_CREDENTIALS_FILE", "")
FCM_PROJECT_ID = env_str("FCM_PROJECT_ID", "")
# Only for tests and benchmarks: a fake FCM server on loopback. Empty = Google's endpoint.
FCM_ENDPOINT = env_str("FCM_ENDPOINT", "")
FCM_TIMEOUT_SECONDS = env_int("FCM_TIMEOUT_SECONDS", 10)
# Transient push failures are retried with exponential backoff and full jitter, up to this many tries.
PUSH_MAX_ATTEMPTS = env_int("PUSH_MAX_ATTEMPTS", 6)
PUSH_RETRY_BASE_SECONDS = env_int("PUSH_RETRY_BASE_SECONDS", 30)
PUSH_RETRY_CAP_SECONDS = env_int("PUSH_RETRY_CAP_SECONDS", 3600)
# Hard time limit of one push-sending task; the lease must outlast it, so a row still "sending"
# after the lease belongs to a dead worker and is safe to send again.
PUSH_TASK_TIME_LIMIT = env_int("PUSH_TASK_TIME_LIMIT", 60)
PUSH_LEASE_SECONDS = env_int("PUSH_LEASE_SECONDS", 90)
# A request's pushes are queued by its process's publisher thread, which waits this long for other
# requests' and queues them in one message (notifications/publisher.py). 0: queued in the request.
PUSH_PUBLISH_WINDOW_MS = env_int("PUSH_PUBLISH_WINDOW_MS", 20)
# The writes that notify render the inbox entry from the admin's copy as their process read it at
# most this long ago (messaging.render.Copy.recent); a push reads the copy when it is sent. 0: read
# on every write.
MESSAGE_COPY_CACHE_SECONDS = env_int("MESSAGE_COPY_CACHE_SECONDS", 30)
# Reminders are written already claimed for the queue message that carries them: that claim must
# outlast the wait in the queue during a burst plus PUSH_TASK_TIME_LIMIT. A worker that finds less
# than PUSH_TASK_TIME_LIMIT of it left does not send; the sweeper hands such rows back when it ends.
PUSH_QUEUE_LEASE_SECONDS = env_int("PUSH_QUEUE_LEASE_SECONDS", 300)

# REMINDERS
# ------------------------------------------------------------------------------
# A reminder whose time passed less than this long ago (dispatcher down, a deploy) still goes
# out; an older one is recorded as missed and not pushed.
REMINDER_GRACE_MINUTES = env_int("REMINDER_GRACE_MINUTES", 30)
# Rows claimed per dispatcher transaction.
REMINDER_BATCH_SIZE = env_int("REMINDER_BATCH_SIZE", 1000)
# Dispatchers working through one burst of due reminders side by side (the beat's run and the
# helpers it starts on the default queue when its first batch is full).
REMINDER_DISPATCHERS = env_int("REMINDER_DISPATCHERS", 2)

# RITUALS
# ------------------------------------------------------------------------------
# Nudges one partner may send per local day.
NUDGE_DAILY_QUOTA = env_int("NUDGE_DAILY_QUOTA", 20)

# I18N
# ------------------------------------------------------------------------------
# The shipped languages (complete catalogues in locale/, checked by scripts/checks). The language of a
# response and of every push and e-mail is chosen in config/i18n.py; docs/architecture.md, "Languages".
LANGUAGE_CODE = "en"
# The languages the app ships (UI catalogues); content may carry translations in more locales.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# STATIC
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Date memory photos: never served from a public path, only through short-lived signed URLs
    # (dates/photos.py). The local filesystem here; any S3-compatible store in production.
    "memories": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private-media"), "base_url": None},
    },
}

# EMAIL
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Couples <no-reply@example.com>")
# django-anymail: production picks a provider backend with EMAIL_BACKEND (e.g.
# "anymail.backends.postmark.EmailBackend") and its credentials in ANYMAIL_* variables, e.g.
# ANYMAIL_POSTMARK_SERVER_TOKEN (or ANYMAIL_POSTMARK_SERVER_TOKEN_FILE). https://anymail.dev/en/stable/esps/
ANYMAIL: dict[str, str] = {
    name.removeprefix("ANYMAIL_").removesuffix("_FILE"): env_str(name.removesuffix("_FILE"), "")
    for name in os.environ
    if name.startswith("ANYMAIL_")
}

# LOGGING: see OBSERVABILITY at the end of this file.

# DJANGO REST FRAMEWORK
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.SessionJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["config.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.CreatedAtCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["config.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "config.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# A POST's response is replayed for a retry with the same Idempotency-Key this long (docs/api.md).
IDEMPOTENCY_TTL_HOURS = env_int("IDEMPOTENCY_TTL_HOURS", 24)

# JWT: short-lived access tokens, rotating refresh tokens with a blacklist.
# https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html
SIMPLE_JWT: dict[str, Any] = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 60)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env_str("JWT_SIGNING_KEY", "") or SECRET_KEY,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "LEEWAY": 0,
}
# A refresh token presented again within this many seconds of its rotation returns the same
# successor instead of failing: the phone that lost the first response must not be logged out.
JWT_REFRESH_GRACE_SECONDS = env_int("JWT_REFRESH_GRACE_SECONDS", 30)
# The curated content's list pages are built once per process, page and language, and reused this
# long (config/api/shared_responses.py); an edit in this process clears them at once. 0: off.
CONTENT_CACHE_SECONDS = env_int("CONTENT_CACHE_SECONDS", 30)

SPECTACULAR_SETTINGS = {
    "TITLE": "Couples API",
    "DESCRIPTION": "REST API of the couples app: accounts, pairing, rituals, goals, reminders and sync.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI assets are served from the sidecar package, so the docs work with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status` or `kind` choice set; give each its own component name.
    "ENUM_NAME_OVERRIDES": {
        "CoupleStatusEnum": "couples.models.Couple.Status",
        "InviteStatusEnum": "couples.models.Invite.Status",
        "RitualStatusEnum": "rituals.models.ritual.Ritual.Status",
        "GoalStatusEnum": "rituals.models.goal.Goal.Status",
        "PromptDeckKindEnum": "rituals.models.content.PromptDeck.Kind",
        "QuizKindEnum": "quizzes.models.Quiz.Kind",
        "LoveLanguagesEnum": "rituals.models.choices.LoveLanguage",
        "NudgeKindEnum": "rituals.models.nudge.Nudge.Kind",
        "NotificationKindEnum": "notifications.models.Notification.Kind",
        "PushStateEnum": "notifications.models.Notification.PushState",
        "SpecialDateKindEnum": "insights.models.SpecialDate.Kind",
        "MilestoneKindEnum": "insights.api.serializers.MILESTONE_KINDS",
        "ReportSuggestionKindEnum": "insights.api.serializers.SUGGESTION_KINDS",
        "DatePlanStatusEnum": "dates.models.DatePlan.Status",
        "AllowedActionsEnum": "rituals.api.goals_serializers.ACTIONS",
        "DatePlanActionEnum": "dates.services.plans.ACTIONS",
        "DateIdeaVoteEnum": "dates.models.DateIdeaVote.Vote",
    },
}

# RATE LIMITS
# ------------------------------------------------------------------------------
# How many trusted reverse proxies append to X-Forwarded-For in front of the app. 0 means the
# header is ignored and REMOTE_ADDR is the client (a client cannot spoof its address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# "<count>/<seconds>" per scope; keyed on client IP (and account where it applies).
RATE_LIMITS = {
    "register": env_str("RATE_LIMIT_REGISTER", "10/3600"),
    "token": env_str("RATE_LIMIT_TOKEN", "20/300"),
    "token_email": env_str("RATE_LIMIT_TOKEN_EMAIL", "10/300"),
    "refresh": env_str("RATE_LIMIT_REFRESH", "60/300"),
    "password_reset": env_str("RATE_LIMIT_PASSWORD_RESET", "5/3600"),
    "password_reset_email": env_str("RATE_LIMIT_PASSWORD_RESET_EMAIL", "3/3600"),
    "password_reset_confirm": env_str("RATE_LIMIT_PASSWORD_RESET_CONFIRM", "10/3600"),
    # Invite codes: 30**8 codes; these limits make guessing hopeless (see docs/api.md).
    "couple_join_user": env_str("RATE_LIMIT_COUPLE_JOIN_USER", "10/3600"),
    "couple_join_ip": env_str("RATE_LIMIT_COUPLE_JOIN_IP", "30/3600"),
    # Store webhooks, per calling address: Apple and Pub/Sub send bursts from few addresses, so the
    # limit is high; it only caps a flood of forged calls, each of which costs a signature check.
    "billing_webhook_ip": env_str("RATE_LIMIT_BILLING_WEBHOOK_IP", "600/60"),
    # A purchase report verifies a JWS or calls Google: a few per purchase or restore are plenty.
    "purchase_user": env_str("RATE_LIMIT_PURCHASE_USER", "30/3600"),
    # A new calendar feed URL per user, and reads of feed URLs per client address (dates/).
    "calendar_feed_create": env_str("RATE_LIMIT_CALENDAR_FEED_CREATE", "10/3600"),
    "calendar_feed_read": env_str("RATE_LIMIT_CALENDAR_FEED_READ", "120/3600"),
}
RATE_LIMITS.update(
    {
        # Sign in with Apple / Google (identity), per client IP; linking to an existing account also per account.
        "social_sign_in": env_str("RATE_LIMIT_SOCIAL_SIGN_IN", "30/300"),
        "social_link": env_str("RATE_LIMIT_SOCIAL_LINK", "20/3600"),
        "social_link_account": env_str("RATE_LIMIT_SOCIAL_LINK_ACCOUNT", "10/3600"),
        "identity_link_user": env_str("RATE_LIMIT_IDENTITY_LINK_USER", "20/3600"),
        # E-mail codes: sending is limited per user (mailbox flooding) and per IP; confirming per user
        # and per IP (6 digits: with 5 tries per code and these limits, guessing stays hopeless).
        "email_code_send_user": env_str("RATE_LIMIT_EMAIL_CODE_SEND_USER", "5/3600"),
        "email_code_send_ip": env_str("RATE_LIMIT_EMAIL_CODE_SEND_IP", "20/3600"),
        "email_code_confirm_user": env_str("RATE_LIMIT_EMAIL_CODE_CONFIRM_USER", "10/3600"),
        "email_code_confirm_ip": env_str("RATE_LIMIT_EMAIL_CODE_CONFIRM_IP", "30/3600"),
        # Apple's server-to-server notifications, per client IP (Apple sends a handful per user, ever).
        "apple_notifications": env_str("RATE_LIMIT_APPLE_NOTIFICATIONS", "120/60"),
    }
)
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)

# BILLING (docs/billing.md)
# ------------------------------------------------------------------------------
# App Store Server Notifications v2 and StoreKit 2 transactions: JWS chains must end in one of these
# roots (PEM or DER files; Apple Root CA - G3 from https://www.apple.com/certificateauthority/).
APP_STORE_ROOT_CERTIFICATES = [p for p in env_str("APP_STORE_ROOT_CERTIFICATES", "").split(",") if p]
APP_STORE_BUNDLE_ID = env_str("APP_STORE_BUNDLE_ID", "app.couples.ios")
# Apple's marker extensions on the leaf and intermediate certificates (Apple's library checks them).
APP_STORE_CHECK_APPLE_OIDS = env_bool("APP_STORE_CHECK_APPLE_OIDS", True)
# Google Play: the app's package, the Play Developer API (a fake on loopback in tests) and its
# service account; RTDN arrive by Pub/Sub push with an OIDC token for this audience and account.
PLAY_PACKAGE_NAME = env_str("PLAY_PACKAGE_NAME", "app.couples.android")
PLAY_API_BASE_URL = env_str("PLAY_API_BASE_URL", "https://androidpublisher.googleapis.com")
PLAY_API_TIMEOUT_SECONDS = float(env_str("PLAY_API_TIMEOUT_SECONDS", "10"))
PLAY_CREDENTIALS_FILE = env_str("PLAY_CREDENTIALS_FILE", "")
PLAY_PUSH_JWKS_URL = env_str("PLAY_PUSH_JWKS_URL", "https://www.googleapis.com/oauth2/v3/certs")
PLAY_PUSH_JWKS_CACHE_SECONDS = env_int("PLAY_PUSH_JWKS_CACHE_SECONDS", 3600)
PLAY_PUSH_AUDIENCE = env_str("PLAY_PUSH_AUDIENCE", "")
PLAY_PUSH_SERVICE_ACCOUNT = env_str("PLAY_PUSH_SERVICE_ACCOUNT", "")
# Store events are kept for their ids (a redelivery is recognised): Apple retries for about 3 days,
# Pub/Sub keeps a message 7 days. Older events are purged daily; a late replay would be stale anyway.
STORE_EVENT_RETENTION_DAYS = env_int("STORE_EVENT_RETENTION_DAYS", 90)

# CELERY
# ------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Embedded default: a filesystem transport under var/ that needs no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
else:
    # Unacked messages are redelivered after this long; every task time limit stays below it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = "default"
# Push sending has its own queue and workers, so a slow push provider never delays other work.
CELERY_TASK_ROUTES = {"notifications.send_pushes": {"queue": "push"}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fix-up closes every database connection around each task unless this is set; with
# it, a worker process opens a new session every this many tasks, and config.celery applies
# CONN_MAX_AGE and the health check around each task instead.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
# Static beat schedule: exactly one beat process runs it (see docs/operations.md).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Daily at 03:10 UTC: outstanding refresh tokens grow by one row per refresh; drop the expired ones.
    "accounts.flush_expired_tokens": {
        "task": "accounts.flush_expired_tokens",
        "schedule": crontab(hour=3, minute=10),
        "options": {"expires": 3600},
    },
    # Daily at 03:25 UTC: Idempotency-Key records older than IDEMPOTENCY_TTL_HOURS are deleted.
    "accounts.purge_idempotency_records": {
        "task": "accounts.purge_idempotency_records",
        "schedule": crontab(hour=3, minute=25),
        "options": {"expires": 3600},
    },
    # Every 15 s: the one reminder dispatcher claims due ritual reminders (SKIP LOCKED, so an
    # overlapping tick or a second dispatcher is harmless). Expires before the next tick.
    "notifications.dispatch_reminders": {
        "task": "notifications.dispatch_reminders",
        "schedule": timedelta(seconds=15),
        "options": {"expires": 12},
    },
    # Every 30 s: retries whose backoff is over, pushes held by quiet hours, and rows a killed
    # worker left "sending" go back to the push queue. Expires before the next tick.
    "notifications.push_pump": {
        "task": "notifications.push_pump",
        "schedule": timedelta(seconds=30),
        "options": {"expires": 25},
    },
    # Daily at 03:40 UTC: shared records of couples ended more than COUPLE_ARCHIVE_DAYS ago are deleted.
    "couples.purge_archived": {
        "task": "couples.purge_archived",
        "schedule": crontab(hour=3, minute=40),
        "options": {"expires": 3600},
    },
}

# INSIGHTS (issue 15): weekly reports, milestones (docs/architecture.md, "Weekly reports")
# ------------------------------------------------------------------------------
# Every 5 min: finalise the couple-weeks that ended (SKIP LOCKED batches; a week ends at Monday
# 00:00 in the couple's zone, so some week ends every hour somewhere) and send the
# `weekly_report_ready` and milestone notifications whose time came. Expires before the next tick.
CELERY_BEAT_SCHEDULE["insights.finalise_reports"] = {
    "task": "insights.finalise_reports",
    "schedule": timedelta(minutes=5),
    "options": {"expires": 240},
}
CELERY_BEAT_SCHEDULE["insights.deliver_reports"] = {
    "task": "insights.deliver_reports",
    "schedule": timedelta(minutes=1),
    "options": {"expires": 50},
}
# Every 15 min: milestone pushes for the partners whose morning (MILESTONE_PUSH_HOUR local) came.
CELERY_BEAT_SCHEDULE["insights.milestone_pushes"] = {
    "task": "insights.milestone_pushes",
    "schedule": timedelta(minutes=15),
    "options": {"expires": 600},
}
# Daily at 04:10 UTC: stored weeks of an older report algorithm are recomputed in the background.
CELERY_BEAT_SCHEDULE["insights.recompute_reports"] = {
    "task": "insights.recompute_reports",
    "schedule": crontab(hour=4, minute=10),
    "options": {"expires": 3600},
}
# The local hour of the milestone push ("the morning of the day"), in each partner's own zone.
MILESTONE_PUSH_HOUR = env_int("MILESTONE_PUSH_HOUR", 9)

# RESILIENCE: OUTAGES, DEADLINES, OUTBOX (issue 14; docs/operations.md, "Outages and deadlines")
# ------------------------------------------------------------------------------
# Every request gets this many seconds, then answers 503 `deadline_exceeded` in the JSON envelope
# (config/api/deadline.py). Keep it a few seconds under gunicorn's --timeout (30 s, Dockerfile), so
# gunicorn never kills a worker mid-request and answers its HTML page. 0 turns the deadline off.
REQUEST_DEADLINE_SECONDS = env_int("REQUEST_DEADLINE_SECONDS", 25)
MIDDLEWARE.insert(0, "config.api.deadline.RequestDeadlineMiddleware")
# A Redis that stops answering (rather than refusing connections) must fail a request in about a
# second, not hang it: the rate limiter then counts in process memory (config/api/ratelimit.py).
if REDIS_URL:
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}  # type: ignore[assignment]
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS.update({"socket_connect_timeout": 1, "socket_timeout": 2})
# Publishing after COMMIT tries twice over ~0.2 s, then gives up to the outbox relay / push pump:
# a request never waits long on a broker that is down.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Transactional outbox (notifications/outbox.py): the relay publishes a message again this long
# after it was written (doubling per attempt, capped at an hour), if it has not run by then.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 60)
# A task's claim on its outbox row; longer than CELERY_TASK_TIME_LIMIT, so only a dead worker's claim expires.
OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 600)
# Messages older than this are no longer relayed (a reset link a day late helps nobody).
OUTBOX_GIVE_UP_HOURS = env_int("OUTBOX_GIVE_UP_HOURS", 24)
# Only read by the file-based e-mail backend (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend),
# which the fault suite uses to count the e-mails sent.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Every 20 s: outbox messages whose publish failed (broker down) or was lost go to the queue again.
# Expires before the next tick.
CELERY_BEAT_SCHEDULE["notifications.relay_outbox"] = {
    "task": "notifications.relay_outbox",
    "schedule": timedelta(seconds=20),
    "options": {"expires": 15},
}

# OBSERVABILITY (issue 14, part i14b: logs, metrics, Sentry, heartbeats)
# ------------------------------------------------------------------------------
# docs/operations.md, "Observability". LOG_FORMAT "json" (production default) writes one JSON object
# per line with request_id, user_hash (keyed hash of the user id) and task_id/task_name;
# "plain" is for a terminal.
# https://nhairs.github.io/python-json-logger/latest/
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "config.observability.context.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s%(task_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(user_hash)s %(task_id)s %(task_name)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per request from config.observability.middleware; gunicorn's own access log is off.
    "loggers": {
        "couples.access": {"level": env_str("ACCESS_LOG_LEVEL", "INFO")},
        "axes.apps": {"level": "WARNING"},  # its version banner on every start of every process
    },
}
# Celery keeps Django's logging (and so the JSON format and task ids) instead of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
MIDDLEWARE.insert(0, "config.observability.middleware.ObservabilityMiddleware")
# GET /metrics (Prometheus): with a token, `Authorization: Bearer <METRICS_TOKEN>`; without one,
# loopback only. Everyone else gets 404.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Worker and beat heartbeats (config/observability/heartbeats.py): /readyz fails when either is older
# than this. 0 turns the check off (the embedded default has no shared cache for them).
HEARTBEAT_INTERVAL_SECONDS = env_int("HEARTBEAT_INTERVAL_SECONDS", 15)
HEARTBEAT_MAX_AGE_SECONDS = env_int("HEARTBEAT_MAX_AGE_SECONDS", 120 if REDIS_URL else 0)
CELERY_BEAT_SCHEDULE["ops.beat_heartbeat"] = {
    # Every 30 s: proves the one beat process (and a default-queue worker) runs; read by /readyz.
    "task": "ops.beat_heartbeat",
    "schedule": timedelta(seconds=30),
    "options": {"expires": 25},
}
# Sentry only when SENTRY_DSN is set; no personal data is sent (send_default_pii=False).
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from config.observability.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE", ""),
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )

# STAFF ACCOUNTS (issue 14, part i14b: admin lockout, second factor, audit)
# ------------------------------------------------------------------------------
# accounts/admin_site.py; docs/operations.md, "Staff accounts".
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = "accounts.apps.StaffAdminConfig"
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "axes"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes requires
# AxesStandaloneBackend first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# A staff account without a confirmed TOTP device cannot sign in to the admin (production default);
# a staff account with one always needs its code.
ADMIN_OTP_REQUIRED = env_bool("ADMIN_OTP_REQUIRED", False)
# The issuer shown in authenticator apps next to the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Couples admin")
# django-axes: lock out after this many failed admin logins, per client address and per username,
# for AXES_COOLOFF_TIME. https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the admin login form's field (it holds the e-mail address)
AXES_ONLY_ADMIN_SITE = True
AXES_HANDLER = "accounts.admin_site.AdminOnlyAxesHandler"
# The client address the same way the API's rate limits read it (TRUSTED_PROXY_COUNT above).
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]

# RETENTION (issue 14, part i14b; docs/privacy.md, "Retention")
# ------------------------------------------------------------------------------
# How long data the product no longer needs is kept. Purges delete RETENTION_BATCH_SIZE rows per
# short transaction, found through an index, so they never hold locks on a hot table for long.
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 1000)
# In-app inbox entries (and their sync copies on the phones); rows still waiting for a push are kept.
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 180)
# Sign-in sessions ended by logout, password change or deactivation (expired ones go with their tokens).
ENDED_SESSION_RETENTION_DAYS = env_int("ENDED_SESSION_RETENTION_DAYS", 30)
# django-axes' admin sign-in logs, and the admin's audit trail (who changed what).
STAFF_LOGIN_LOG_RETENTION_DAYS = env_int("STAFF_LOGIN_LOG_RETENTION_DAYS", 90)
ADMIN_AUDIT_RETENTION_DAYS = env_int("ADMIN_AUDIT_RETENTION_DAYS", 730)
# Sync tombstones (records deleted since a phone's cursor). A phone whose cursor is older than the
# purge gets a full pull that replaces what it holds (sync/pull.py); 0 keeps them forever.
SYNC_TOMBSTONE_RETENTION_DAYS = env_int("SYNC_TOMBSTONE_RETENTION_DAYS", 180)
CELERY_BEAT_SCHEDULE |= {
    # Daily at 03:55 UTC: notifications older than NOTIFICATION_RETENTION_DAYS (with sync tombstones).
    "notifications.purge_old_notifications": {
        "task": "notifications.purge_old_notifications",
        "schedule": crontab(hour=3, minute=55),
        "options": {"expires": 3600},
    },
    # Daily at 04:10 UTC: ended sessions, staff sign-in logs, old audit entries, old sync tombstones.
    "accounts.purge_expired_data": {
        "task": "accounts.purge_expired_data",
        "schedule": crontab(hour=4, minute=10),
        "options": {"expires": 3600},
    },
    # Daily at 04:25 UTC: e-mail codes past their 15 minutes (or used) are dead weight; drop them.
    "identity.purge_email_codes": {
        "task": "identity.purge_email_codes",
        "schedule": crontab(hour=4, minute=25),
        "options": {"expires": 3600},
    },
}
CELERY_BEAT_SCHEDULE |= {
    # Daily at 04:20 UTC: store events older than STORE_EVENT_RETENTION_DAYS (billing).
    "billing.purge_store_events": {
        "task": "billing.purge_store_events",
        "schedule": crontab(hour=4, minute=20),
        "options": {"expires": 3600},
    },
}

# SIGN IN WITH APPLE AND GOOGLE (identity app; docs/api.md, "Sign in with Apple and Google")
# ------------------------------------------------------------------------------
# Our client ids: the identity token's `aud` must be one of them. Apple: the app's bundle id (and the
# Services ID for web sign-in); Google: the iOS, Android and web OAuth client ids. Comma-separated.
APPLE_CLIENT_IDS = env_list("APPLE_CLIENT_IDS", ["com.example.couples"])
GOOGLE_CLIENT_IDS = env_list("GOOGLE_CLIENT_IDS", ["couples.apps.googleusercontent.com"])
APPLE_ISSUER = env_str("APPLE_ISSUER", "https://appleid.apple.com")
GOOGLE_ISSUERS = env_list("GOOGLE_ISSUERS", ["https://accounts.google.com", "accounts.google.com"])
# https://developer.apple.com/documentation/signinwithapplerestapi/fetch_apple_s_public_key_for_verifying_token_signature
APPLE_JWKS_URL = env_str("APPLE_JWKS_URL", "https://appleid.apple.com/auth/keys")
# https://developers.google.com/identity/openid-connect/openid-connect#discovery (jwks_uri)
GOOGLE_JWKS_URL = env_str("GOOGLE_JWKS_URL", "https://www.googleapis.com/oauth2/v3/certs")
# A key set is kept for its Cache-Control max-age, within these bounds; an unknown `kid` fetches it
# again, at most once per JWKS_MIN_REFETCH_SECONDS (forged kids must not hammer the provider).
JWKS_DEFAULT_MAX_AGE_SECONDS = env_int("JWKS_DEFAULT_MAX_AGE_SECONDS", 3600)
JWKS_MAX_AGE_CAP_SECONDS = env_int("JWKS_MAX_AGE_CAP_SECONDS", 86400)
JWKS_MIN_REFETCH_SECONDS = env_int("JWKS_MIN_REFETCH_SECONDS", 30)
JWKS_TIMEOUT_SECONDS = env_int("JWKS_TIMEOUT_SECONDS", 5)
# Clock skew tolerated on `exp`/`iat` of identity tokens.
IDENTITY_TOKEN_LEEWAY_SECONDS = env_int("IDENTITY_TOKEN_LEEWAY_SECONDS", 60)
# How long a 409 `account_exists` link token may be completed with the password or an e-mail code.
SOCIAL_LINK_TOKEN_SECONDS = env_int("SOCIAL_LINK_TOKEN_SECONDS", 600)

# E-MAIL VERIFICATION (identity app)
# ------------------------------------------------------------------------------
EMAIL_CODE_TTL_MINUTES = env_int("EMAIL_CODE_TTL_MINUTES", 15)
# Wrong guesses one code survives before it is dead (a new code must be requested).
EMAIL_CODE_MAX_ATTEMPTS = env_int("EMAIL_CODE_MAX_ATTEMPTS", 5)

# DATES
# ------------------------------------------------------------------------------
# Memory photos (dates/photos.py): the largest upload accepted, the largest decoded image (pixels;
# a decompression bomb is refused before it is decoded), and how long a photo URL stays valid.
MEMORY_PHOTO_MAX_BYTES = env_int("MEMORY_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
MEMORY_PHOTO_MAX_PIXELS = env_int("MEMORY_PHOTO_MAX_PIXELS", 40_000_000)
MEMORY_PHOTO_URL_SECONDS = env_int("MEMORY_PHOTO_URL_SECONDS", 300)
# A calendar feed covers this many days ahead.
CALENDAR_FEED_DAYS = 60
