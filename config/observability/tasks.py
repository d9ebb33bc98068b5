"""Celery signal handlers: task ids in logs, task latency and failure metrics, worker heartbeats."""

import logging
import os
import time
from typing import Any

from celery.signals import task_failure, task_postrun, task_prerun, worker_init, worker_ready

from config.observability import context, heartbeats
from config.observability.metrics import TASK_FAILURES, TASK_LATENCY

logger = logging.getLogger(__name__)
_started: dict[str, float] = {}


@task_prerun.connect(weak=False, dispatch_uid="config.observability.task_prerun")
def _task_prerun(task_id: str = "", task: Any = None, **_: Any) -> None:
    context.task_id.set(task_id or "")
    context.task_name.set(getattr(task, "name", "") or "")
    _started[task_id] = time.perf_counter()


@task_postrun.connect(weak=False, dispatch_uid="config.observability.task_postrun")
def _task_postrun(task_id: str = "", task: Any = None, state: str | None = None, **_: Any) -> None:
    started = _started.pop(task_id, None)
    if started is not None:
        TASK_LATENCY.labels(getattr(task, "name", "?"), state or "UNKNOWN").observe(time.perf_counter() - started)
    context.task_id.set("")
    context.task_name.set("")


@task_failure.connect(weak=False, dispatch_uid="config.observability.task_failure")
def _task_failure(sender: Any = None, **_: Any) -> None:
    TASK_FAILURES.labels(getattr(sender, "name", "?")).inc()


@worker_init.connect(weak=False, dispatch_uid="config.observability.worker_init")
def _worker_init(**_: Any) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory and os.environ.get("CELERY_METRICS_PORT"):
        # Before the pool starts: the files of a previous run would be counted again.
        import shutil
        from pathlib import Path

        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


@worker_ready.connect(weak=False, dispatch_uid="config.observability.worker_ready")
def _worker_ready(sender: Any = None, **kwargs: Any) -> None:
    heartbeats.on_worker_ready(sender, **kwargs)
    port = int(os.environ.get("CELERY_METRICS_PORT", "0") or 0)
    if port and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # The prefork children write their counters to PROMETHEUS_MULTIPROC_DIR; the main process
        # serves their sum for Prometheus to scrape (the workers serve no other HTTP).
        from prometheus_client import CollectorRegistry, start_http_server
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        start_http_server(port, registry=registry)
        logger.info("worker metrics on port %d", port)
