"""Baselines measured in the same run, on the same machine, right after the main measurement.

- Redis enqueue: the task messages `enqueue_pushes` publishes (CHUNK = 250 notification ids each), sent
  with Celery to a queue nobody consumes, and the same bytes pushed with a bare LPUSH.
- Fake FCM server: its own throughput with a trivial client (http.client, keep-alive, many threads).
- FCM provider: `FcmProvider.send` (batches of CHUNK = 250, all in flight at once) in one process, the
  pushes per second and the CPU each push costs; the worker pool is made of such processes.
"""

import http.client
import json
import resource
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import redis
from django.conf import settings

from bench.dispatch.processes import FakeServer
from notifications.push import PushMessage, get_provider
from notifications.tasks import CHUNK, send_pushes

SCRATCH_QUEUE = "bench-baseline"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def redis_enqueue(*, messages: int) -> dict[str, float]:
    """Publishes `messages` send_pushes messages (CHUNK ids each) to a scratch queue, then the same
    payload with bare LPUSHes; removes the scratch keys."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(SCRATCH_QUEUE, f"{SCRATCH_QUEUE}-raw")
    chunks = [[str(uuid.uuid4()) for _ in range(CHUNK)] for _ in range(min(messages, 100))]
    started = time.perf_counter()
    for n in range(messages):
        send_pushes.apply_async(args=(chunks[n % len(chunks)],), queue=SCRATCH_QUEUE, routing_key=SCRATCH_QUEUE)
    celery_seconds = time.perf_counter() - started
    payload = client.lindex(SCRATCH_QUEUE, 0) or b""
    started = time.perf_counter()
    for _ in range(messages):
        client.lpush(f"{SCRATCH_QUEUE}-raw", payload)
    raw_seconds = time.perf_counter() - started
    client.delete(SCRATCH_QUEUE, f"{SCRATCH_QUEUE}-raw", *client.keys(f"_kombu.binding*.{SCRATCH_QUEUE}"))
    client.close()
    return {
        "messages": messages,
        "message_bytes": len(payload),
        "celery_messages_per_s": messages / celery_seconds,
        "celery_ids_per_s": messages * CHUNK / celery_seconds,
        "lpush_messages_per_s": messages / raw_seconds,
    }


def _fcm_body() -> bytes:
    message = {
        "token": "bench-000000:APA91b" + "x" * 148,
        "notification": {"title": "Evening walk", "body": "Your ritual starts in 15 minutes."},
        "data": {"notification_id": str(uuid.uuid4()), "kind": "ritual_reminder", "screen": "ritual"},
        "android": {"collapse_key": str(uuid.uuid4()), "priority": "high"},
        "apns": {"headers": {"apns-collapse-id": str(uuid.uuid4())}},
    }
    return json.dumps({"message": message}).encode()


def fake_server_throughput(*, latency: float, requests: int, connections: int, log_dir: Path) -> dict[str, float]:
    server = FakeServer(latency=latency, log_path=log_dir / "fake-fcm-baseline.log")
    try:
        url = urlparse(server.url)
        body, path = _fcm_body(), "/v1/projects/couples-bench/messages:send"
        remaining = [requests]
        errors = [0]
        lock = threading.Lock()

        def client() -> None:
            conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
            while True:
                with lock:
                    if remaining[0] <= 0:
                        break
                    remaining[0] -= 1
                try:
                    conn.request("POST", path, body, {"Content-Type": "application/json"})
                    conn.getresponse().read()
                except OSError:
                    with lock:
                        errors[0] += 1
                    conn.close()
            conn.close()

        cpu_before, server_cpu_before = _cpu(), server.cpu_seconds()
        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        seconds = time.perf_counter() - started
        received = server.received()
        return {
            "requests": received,
            "connections": connections,
            "errors": errors[0],
            "requests_per_s": received / seconds,
            "server_cpu_us_per_request": (server.cpu_seconds() - server_cpu_before) / max(received, 1) * 1e6,
            "client_cpu_us_per_request": (_cpu() - cpu_before) / max(received, 1) * 1e6,
        }
    finally:
        server.stop()


def fcm_provider(*, latency: float, batches: int, log_dir: Path) -> dict[str, Any]:
    """FcmProvider.send, as one worker process runs it, against its own fake server."""
    server = FakeServer(latency=latency, log_path=log_dir / "fake-fcm-client-baseline.log")
    endpoint = settings.FCM_ENDPOINT
    try:
        settings.FCM_ENDPOINT = server.url
        get_provider.cache_clear()
        provider = get_provider()
        messages = [
            PushMessage(
                token=f"bench-{n:06d}:APA91b" + "x" * 148,
                title="Evening walk",
                body="Your ritual starts in 15 minutes.",
                data={"notification_id": str(uuid.uuid4()), "kind": "ritual_reminder", "screen": "ritual"},
                collapse_id=str(uuid.uuid4()),
            )
            for n in range(CHUNK)
        ]
        provider.send(messages)  # warm the connection pool
        cpu_before = _cpu()
        started = time.perf_counter()
        for _ in range(batches):
            provider.send(messages)
        seconds = time.perf_counter() - started
        pushes = batches * len(messages)
        return {
            "pushes": pushes,
            "pushes_per_s": pushes / seconds,
            "client_cpu_us_per_push": (_cpu() - cpu_before) / pushes * 1e6,
        }
    finally:
        settings.FCM_ENDPOINT = endpoint
        get_provider.cache_clear()
        server.stop()
