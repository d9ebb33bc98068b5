"""Settings of the insights benchmark: the dispatch benchmark's (production-like: DEBUG off, persistent
connections), on its own database, with an in-memory broker: the finalise sends nothing, and the
replayed delivery check only counts notification rows, so no message has to reach a worker."""

from bench.dispatch.settings import *  # noqa: F403

CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
