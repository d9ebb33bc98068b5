"""A fake FCM HTTP v1 server on loopback, for tests and the dispatch benchmark.

It answers `POST /v1/projects/<project>/messages:send` like FCM does. The token decides the answer:
a token starting with one of the prefixes of `_ERRORS` gets that FCM error, `slow` an answer after
SLOW_SECONDS, `drop` a closed connection and no answer; any other token is accepted. An access token
in `refused_access_tokens` gets 401 UNAUTHENTICATED, as FCM answers a revoked one. Every answered
message is recorded (thread-safe), so tests can assert on exactly what reached "FCM", including
collapse ids for once-per-phone checks, and on the `Authorization` headers it came with.

It is also the OAuth2 token endpoint of a test service account (`POST /token`): each call issues a
new access token `fake-access-<n>`, valid `token_lifetime` seconds.

One asyncio event loop in a thread serves every connection (keep-alive, HTTP/1.1), so the simulated
latency never blocks other requests and a request costs the benchmark's shared CPU little. Answers
go out in one write (asyncio sets TCP_NODELAY), and the listen backlog takes hundreds of connections
opening at once.
"""

import asyncio
import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, cast

_ERRORS = {
    "unregistered": (404, "NOT_FOUND", "UNREGISTERED", None),
    "invalid": (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", None),
    "senderid": (403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", None),
    "denied": (403, "PERMISSION_DENIED", "PERMISSION_DENIED", None),
    "unavailable": (503, "UNAVAILABLE", "UNAVAILABLE", None),
    "quota": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", None),
    "overloaded": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", 120),  # with Retry-After: 120
    "error500": (500, "INTERNAL", "INTERNAL", None),
}
SLOW_SECONDS = 2.0
BACKLOG = 1024


@dataclass
class FakeFcm:
    url: str
    latency: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set to block every request until released (to kill a worker mid-send).
    gate: threading.Event | None = None
    # Authorization header of each answered FCM request ("" when none), counted.
    authorizations: Counter[str] = field(default_factory=Counter)
    access_tokens_issued: int = 0
    token_lifetime: int = 3600
    refused_access_tokens: set[str] = field(default_factory=set)
    connections_opened: int = 0
    _open: set[asyncio.Transport] = field(default_factory=set)
    _loop: asyncio.AbstractEventLoop | None = None

    def close_connections(self) -> None:
        """Closes every client connection, as a server does with idle keep-alive ones; returns once done."""
        assert self._loop is not None
        done = threading.Event()

        def close() -> None:
            for transport in list(self._open):
                transport.close()
            done.set()

        self._loop.call_soon_threadsafe(close)
        done.wait(timeout=10)

    def tokens(self) -> list[str]:
        with self.lock:
            return [m["message"]["token"] for m in self.received]

    def collapse_ids(self) -> list[str]:
        with self.lock:
            return [m["message"].get("android", {}).get("collapse_key", "") for m in self.received]


class _Connection(asyncio.BufferedProtocol):
    """One client connection: requests are answered in order, one at a time. Buffered: a plain
    protocol receives into a new 256 KiB object per read, which costs more than the request."""

    def __init__(self, fake: FakeFcm, loop: asyncio.AbstractEventLoop) -> None:
        self.fake = fake
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.busy = False
        self.close_after = False
        self.read = memoryview(bytearray(16384))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.fake.connections_opened += 1
        self.fake._open.add(self.transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.fake._open.discard(self.transport)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.read

    def buffer_updated(self, nbytes: int) -> None:
        self.buffer += self.read[:nbytes]
        if not self.busy:
            self._next()

    def _next(self) -> None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        method, path, version = [*lines[0].split(" ", 2), "", ""][:3]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if len(self.buffer) < end + 4 + length:
            return
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        self.busy = True
        self.close_after = version != "HTTP/1.1" or "close" in headers.get("connection", "").lower()
        if method == "POST" and path == "/token":
            self._token()
            return
        message = json.loads(body or b"{}")
        token = message.get("message", {}).get("token", "")
        authorization = headers.get("authorization", "")
        if self.fake.gate is None and not token.startswith(("slow", "drop")):
            self.loop.call_later(self.fake.latency, self._answer, message, token, authorization)
        else:
            self.loop.create_task(self._answer_later(message, token, authorization))

    async def _answer_later(self, message: dict[str, Any], token: str, authorization: str) -> None:
        if self.fake.gate is not None:
            await self.loop.run_in_executor(None, self.fake.gate.wait, 30)
        await asyncio.sleep(self.fake.latency + (SLOW_SECONDS if token.startswith("slow") else 0.0))
        if token.startswith("drop"):
            if self.transport is not None:
                self.transport.abort()
            return
        self._answer(message, token, authorization)

    def _answer(self, message: dict[str, Any], token: str, authorization: str) -> None:
        fake = self.fake
        with fake.lock:
            fake.received.append(message)
            fake.authorizations[authorization] += 1
            number = len(fake.received)
        if authorization.removeprefix("Bearer ") in fake.refused_access_tokens:
            self._error(401, "UNAUTHENTICATED", "", None)
            return
        error = next((spec for prefix, spec in _ERRORS.items() if token.startswith(prefix)), None)
        if error is None:
            self._reply(200, {"name": f"projects/fake/messages/{number}"})
        else:
            self._error(*error)

    def _error(self, status: int, grpc_status: str, fcm_code: str, retry_after: int | None) -> None:
        details = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm_code}]
        payload = {"error": {"code": status, "message": fcm_code or grpc_status, "status": grpc_status}}
        if fcm_code:
            payload["error"]["details"] = details
        extra = f"Retry-After: {retry_after}\r\n" if retry_after is not None else ""
        self._reply(status, payload, extra)

    def _token(self) -> None:
        with self.fake.lock:
            self.fake.access_tokens_issued += 1
            number = self.fake.access_tokens_issued
        lifetime = self.fake.token_lifetime
        self._reply(200, {"access_token": f"fake-access-{number}", "expires_in": lifetime, "token_type": "Bearer"})

    def _reply(self, status: int, payload: dict[str, Any], extra_headers: str = "") -> None:
        if self.transport is None or self.transport.is_closing():
            return  # the client went away (a killed worker): nothing to answer
        data = json.dumps(payload).encode()
        if self.close_after:
            extra_headers += "Connection: close\r\n"
        head = (
            f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
            f"Content-Type: application/json; charset=UTF-8\r\nContent-Length: {len(data)}\r\n{extra_headers}\r\n"
        )
        self.transport.write(head.encode("latin-1") + data)
        self.busy = False
        if self.close_after:
            self.transport.close()
        elif self.buffer:
            self._next()


@contextmanager
def fake_fcm_server(latency: float = 0.0) -> Iterator[FakeFcm]:
    loop = asyncio.new_event_loop()
    fake = FakeFcm(url="", latency=latency, _loop=loop)
    server = loop.run_until_complete(
        loop.create_server(lambda: _Connection(fake, loop), "127.0.0.1", 0, backlog=BACKLOG)
    )
    fake.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    thread = threading.Thread(target=loop.run_forever, name="fake-fcm", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        if fake.gate is not None:
            fake.gate.set()  # requests waiting at the gate end, so the executor can shut down
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        with suppress(RuntimeError):
            loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
