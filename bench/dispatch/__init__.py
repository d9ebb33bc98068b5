"""Reminder dispatch benchmark: 100,000 rituals due in one minute, dispatched and pushed to a fake
FCM server on loopback by real Celery workers. See README.md; run with `python -m bench.dispatch`."""
