"""The Celery app. Workers: `celery -A config worker`; exactly one `celery -A config beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("couples")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
