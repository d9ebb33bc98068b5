"""Settings of the load benchmark's gunicorn and runner: production settings, plus two baseline views.

Everything the production settings read from the environment (SECRET_KEY, JWT_SIGNING_KEY,
ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, ...) is set by the runner (`bench/load/run.py`). The only
change is the URLconf: `bench.load.urls` is the real `config.urls` plus the two baseline views, so
the production URLconf never gains them.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
