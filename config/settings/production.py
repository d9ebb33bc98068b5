"""Production settings. DEBUG is always off here; secrets must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str
from config.storage import memories_s3_storage

from .base import *  # noqa: F403

DEBUG = False  # never read from the environment: DEBUG cannot be switched on in production

SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")
SIMPLE_JWT["SIGNING_KEY"] = env_str("JWT_SIGNING_KEY", "") or SECRET_KEY  # noqa: F405
if len(SIMPLE_JWT["SIGNING_KEY"]) < 50:  # noqa: F405
    raise ImproperlyConfigured("JWT_SIGNING_KEY must be a random string of at least 50 characters.")

# SECURITY
# ------------------------------------------------------------------------------
# TLS ends at the load balancer, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# /healthz, /readyz and /metrics (Prometheus) are probed over plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's default too, set here so it cannot silently change: a page we serve (admin, API docs)
# shares no browsing context with a window another site opened.
# https://docs.djangoproject.com/en/5.2/ref/middleware/#cross-origin-opener-policy
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]  # noqa: F405

# API
# ------------------------------------------------------------------------------
# JSON only: no browsable API (its HTML forms are for local development, see `local.py`).
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["config.api.renderers.JSONRenderer"]  # noqa: F405
# The schema and Swagger UI are for staff only: the schema maps the whole attack surface. Staff signed
# in to the admin browse /api/v1/docs/ with their admin session; a staff JWT works too. Local and test
# settings keep them public (drf-spectacular's defaults). drf-spectacular reads these when its views
# are imported, so they must be set here, not changed at run time.
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,  # noqa: F405
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAdminUser"],
    "SERVE_AUTHENTICATION": [
        "accounts.authentication.SessionJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}

# STATIC: compressed, hashed files served by WhiteNoise from gunicorn (admin, Swagger UI).
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")  # noqa: F405
MIDDLEWARE.insert(_security + 1, "whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# LOGS: one JSON object per line (config.observability; docs/operations.md, "Observability").
LOG_FORMAT = env_str("LOG_FORMAT", "json")
_console_handler: dict[str, object] = LOGGING["handlers"]["console"]  # type: ignore[index]  # noqa: F405
_console_handler["formatter"] = "json" if LOG_FORMAT == "json" else "plain"

# STAFF: no admin sign-in without a TOTP device (accounts/admin_site.py, docs/operations.md).
ADMIN_OTP_REQUIRED = env_bool("ADMIN_OTP_REQUIRED", True)

# DATE MEMORY PHOTOS: any S3-compatible store (django-storages), private objects only. The API hands
# out presigned URLs valid for MEMORY_PHOTO_URL_SECONDS (dates/photos.py); nothing is public.
# The MEMORIES_S3_* variables are read in config/storage.py (docs/operations.md).
_memories_s3 = memories_s3_storage(url_seconds=MEMORY_PHOTO_URL_SECONDS)  # noqa: F405
if _memories_s3 is not None:
    STORAGES["memories"] = _memories_s3  # noqa: F405
