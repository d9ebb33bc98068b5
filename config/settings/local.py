"""Development settings: the embedded default (SQLite, filesystem Celery broker) unless
DATABASE_URL / REDIS_URL are set."""

from config.env import env_bool, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
# A fixed key is fine on a developer machine; production refuses to start without SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-3f8a7c2d9b1e4f60a5d7c8b9e0f1a2b3")
SIMPLE_JWT["SIGNING_KEY"] = env_str("JWT_SIGNING_KEY", "") or SECRET_KEY  # noqa: F405
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [  # noqa: F405
    "config.api.renderers.JSONRenderer",
    "rest_framework.renderers.BrowsableAPIRenderer",
]

# The embedded default keeps its SQLite file and Celery's filesystem queue under var/.
for _folder in (VAR_DIR, VAR_DIR / "celery" / "queue", VAR_DIR / "celery" / "processed"):  # noqa: F405
    _folder.mkdir(parents=True, exist_ok=True)
