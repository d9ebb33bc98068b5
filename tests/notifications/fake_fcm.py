"""A fake FCM HTTP v1 server on loopback, for tests and the dispatch benchmark.

It answers `POST /v1/projects/<project>/messages:send` like FCM does. The token decides the answer:
a token starting with `unregistered`, `invalid`, `unavailable`, `quota` or `error500` gets that
FCM error; any other token is accepted. Every request is recorded (thread-safe), so tests can
assert on exactly what reached "FCM", including collapse ids for once-per-phone checks.
"""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ERRORS = {
    "unregistered": (404, "NOT_FOUND", "UNREGISTERED"),
    "invalid": (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"),
    "unavailable": (503, "UNAVAILABLE", "UNAVAILABLE"),
    "quota": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"),
    "error500": (500, "INTERNAL", "INTERNAL"),
}


@dataclass
class FakeFcm:
    url: str
    latency: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set to block every request until released (to kill a worker mid-send).
    gate: threading.Event | None = None

    def tokens(self) -> list[str]:
        with self.lock:
            return [m["message"]["token"] for m in self.received]

    def collapse_ids(self) -> list[str]:
        with self.lock:
            return [m["message"].get("android", {}).get("collapse_key", "") for m in self.received]


def _handler(fake: FakeFcm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if fake.gate is not None:
                fake.gate.wait(timeout=30)
            if fake.latency:
                time.sleep(fake.latency)
            with fake.lock:
                fake.received.append(body)
            token = body.get("message", {}).get("token", "")
            error = next((spec for prefix, spec in _ERRORS.items() if token.startswith(prefix)), None)
            if error is None:
                self._reply(200, {"name": f"projects/fake/messages/{len(fake.received)}"})
                return
            status, grpc_status, fcm_code = error
            details = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm_code}]
            self._reply(
                status, {"error": {"code": status, "message": fcm_code, "status": grpc_status, "details": details}}
            )

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def fake_fcm_server(latency: float = 0.0) -> Iterator[FakeFcm]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(FakeFcm(url="")))
    fake = FakeFcm(url=f"http://127.0.0.1:{server.server_address[1]}", latency=latency)
    server.RequestHandlerClass = _handler(fake)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
