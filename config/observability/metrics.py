"""Prometheus metrics and the protected `/metrics` endpoint.

Several gunicorn workers, or Celery's prefork children, each keep their own counters. With
PROMETHEUS_MULTIPROC_DIR set (the image sets it), prometheus-client writes them to files there and
the endpoint adds them up (its multiprocess mode); without it the endpoint shows this process only.
"""

import hmac
import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

# Buckets in seconds: the API's bar is tens of milliseconds; sync pushes can take seconds.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUEST_LATENCY = Histogram(
    "couples_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern (not the raw path), method and status class.",
    ["route", "method", "status"],
    buckets=_LATENCY_BUCKETS,
)
TASK_LATENCY = Histogram(
    "couples_celery_task_duration_seconds",
    "Run time of a Celery task, by task name and final state.",
    ["task", "state"],
    buckets=(*_LATENCY_BUCKETS, 60, 120, 300),
)
TASK_FAILURES = Counter("couples_celery_task_failures_total", "Celery tasks that raised, by task name.", ["task"])
PUSH_RESULTS = Counter(
    "couples_push_results_total",
    "Push messages handed to the provider, by outcome (delivered, token_invalid, retry, failed).",
    ["outcome"],
)


class BacklogCollector(Collector):
    """Gauges read from the database at scrape time, so they are right whichever process scrapes:
    how late the reminder dispatcher and the push queue are (0 when nothing is overdue), and how many
    outbox messages (e-mails) wait for the relay."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db.models import Min
        from django.db.models.functions import Coalesce

        from notifications.models import Notification, OutboxMessage, ReminderSchedule

        now = timezone.now()
        oldest_reminder = ReminderSchedule.objects.filter(fire_at__lte=now).aggregate(at=Min("fire_at"))["at"]
        # Pending rows only (the partial index covers them): held ones wait for quiet hours on purpose.
        oldest_push = Notification.objects.filter(push_state=Notification.PushState.PENDING).aggregate(
            at=Min(Coalesce("push_not_before", "created_at"))
        )["at"]
        for name, doc, oldest in (
            (
                "couples_dispatcher_lag_seconds",
                "Age of the oldest due, unclaimed reminder (rituals and dates).",
                oldest_reminder,
            ),
            ("couples_push_queue_lag_seconds", "Age of the oldest push waiting to be sent.", oldest_push),
        ):
            gauge = GaugeMetricFamily(name, doc)
            gauge.add_metric([], max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
            yield gauge
        depth = GaugeMetricFamily("couples_outbox_depth", "Outbox messages (e-mails) not relayed yet.")
        depth.add_metric([], OutboxMessage.objects.filter(done_at__isnull=True).count())  # the outbox_due index
        yield depth


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    registry.register(BacklogCollector())
    return registry


class _Forward(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator:
        yield from self.registry.collect()


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(sent.encode(), token.encode())
    # No token configured: loopback only (a sidecar or `curl` inside the container), never via the LB.
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format. 404 (not 401/403) to anyone without the token: nothing to discover."""
    if not _allowed(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
