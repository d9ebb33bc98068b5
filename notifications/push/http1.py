"""A small HTTP/1.1 client on asyncio, for one host, with a pool of keep-alive connections.

Why not requests/urllib3 in threads: a push is one small POST that waits ~50 ms on the network, and a
worker sends hundreds at once. On asyncio, each in-flight request costs a future and a few callbacks
instead of a thread, and a request plus its answer costs some tens of µs of CPU (docs/performance.md).

What it supports is what FCM needs: POST with a body, answers framed by `Content-Length`, chunked
encoding or connection close; keep-alive (HTTP/1.1 default) with one request at a time per
connection; TLS; a timeout per request. Not HTTP/2, redirects, proxies, 1xx or `Expect`.

A request that fails on a reused connection before any byte of answer arrived (the server closed
the idle connection as we wrote) is sent once more on a new connection, as urllib3 does. Whether the
first copy reached the server is unknowable; FCM messages carry a collapse id for that case.
"""

import asyncio
import ssl
import time
from collections import deque
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

# Answers larger than this are refused: FCM's are a few hundred bytes.
MAX_ANSWER_BYTES = 1 << 20
# Bytes read per receive call. asyncio's plain protocols receive into a new 256 KiB object each
# time, which costs more CPU than a whole small request; a buffered protocol reads into this.
READ_BYTES = 16384
# Connections idle longer than this are closed rather than reused: servers drop idle keep-alive
# connections after some time, and a stale one costs a failed write and a retry.
IDLE_SECONDS = 50.0


class TransportError(Exception):
    """No (complete) answer: connection refused or lost, timeout, malformed answer."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes


class _Connection(asyncio.BufferedProtocol):
    """One keep-alive connection; one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.used_at = time.monotonic()
        self._waiter: asyncio.Future[Response] | None = None
        self._buffer = bytearray()
        self._head: tuple[int, dict[str, str], int] | None = None  # status, headers, body offset
        self._keep_alive = True
        self._read = memoryview(bytearray(READ_BYTES))

    # asyncio callbacks ----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._read

    def buffer_updated(self, nbytes: int) -> None:
        if self._waiter is None or self._waiter.done():
            self._fail(TransportError("data from the server while no request was waiting"))
            return
        self._buffer += self._read[:nbytes]
        try:
            response = self._parse()
        except TransportError as error:
            self._fail(error)
            return
        if response is not None:
            self._finish(response)

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        head = self._head
        if exc is None and head is not None and self._body_length(head) == -1:
            status, headers, offset = head  # framed by the connection's end
            waiter.set_result(Response(status, headers, bytes(self._buffer[offset:])))
        else:
            waiter.set_exception(TransportError(f"connection lost: {exc or 'closed by the server'}"))

    # requests -------------------------------------------------------------------------------------

    @property
    def answered_anything(self) -> bool:
        return bool(self._buffer)

    def send(self, request: bytes) -> "asyncio.Future[Response]":
        if self.transport is None:
            raise TransportError("not connected")
        self._waiter = self.loop.create_future()
        self._buffer.clear()
        self._head = None
        self._keep_alive = True
        self.transport.write(request)
        return self._waiter

    def abort(self, error: TransportError) -> None:
        self._fail(error)

    def _fail(self, error: TransportError) -> None:
        self.closed = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        if self.transport is not None:
            self.transport.abort()

    def _finish(self, response: Response) -> None:
        self.used_at = time.monotonic()
        if not self._keep_alive:
            self.closed = True
            if self.transport is not None:
                self.transport.close()
        if self._waiter is not None:
            self._waiter.set_result(response)

    # parsing --------------------------------------------------------------------------------------

    def _parse(self) -> Response | None:
        if self._head is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_ANSWER_BYTES:
                    raise TransportError("answer head too large")
                return None
            self._head = self._parse_head(bytes(self._buffer[:end]), end + 4)
        status, headers, offset = self._head
        length = self._body_length(self._head)
        if length == -1:  # until the connection closes (connection_lost completes it)
            if len(self._buffer) - offset > MAX_ANSWER_BYTES:
                raise TransportError("answer too large")
            return None
        if length == -2:
            body = _dechunk(self._buffer, offset)
            return None if body is None else Response(status, headers, body)
        if len(self._buffer) - offset < length:
            return None
        return Response(status, headers, bytes(self._buffer[offset : offset + length]))

    def _parse_head(self, head: bytes, offset: int) -> tuple[int, dict[str, str], int]:
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise TransportError(f"not an HTTP/1.x answer: {lines[0][:80]!r}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon:
                raise TransportError(f"malformed header line {line[:80]!r}")
            headers[name.strip().lower()] = value.strip()
        connection = headers.get("connection", "").lower()
        self._keep_alive = parts[0] == "HTTP/1.1" and "close" not in connection
        return int(parts[1]), headers, offset

    def _body_length(self, head: tuple[int, dict[str, str], int]) -> int:
        """Bytes of body, -2 for chunked, -1 for "until the connection closes"."""
        status, headers, _ = head
        if status in (204, 304):
            return 0
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return -2
        if "content-length" in headers:
            try:
                return int(headers["content-length"])
            except ValueError:
                raise TransportError("malformed Content-Length") from None
        self._keep_alive = False
        return -1


def _dechunk(buffer: bytearray, offset: int) -> bytes | None:
    """The body of a complete chunked answer starting at `offset`, or None while incomplete.

    Parsed from the start on every call: answers are small, so this is cheaper than a state machine."""
    body = bytearray()
    position = offset
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size_text = bytes(buffer[position:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise TransportError("malformed chunk size") from None
        position = line_end + 2
        if size == 0:
            # Optional trailers, then an empty line.
            return bytes(body) if buffer.find(b"\r\n\r\n", position - 2) >= 0 else None
        if len(buffer) < position + size + 2:
            return None
        body += buffer[position : position + size]
        position += size + 2
        if len(body) > MAX_ANSWER_BYTES:
            raise TransportError("answer too large")


class Pool:
    """Keep-alive connections to one origin (`scheme://host:port`), at most `size` at once.

    Belongs to one event loop; use it only from coroutines running on that loop."""

    def __init__(self, origin: str, *, size: int, timeout: float) -> None:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) origin: {origin!r}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.host_header = parts.netloc
        self.ssl: ssl.SSLContext | None = ssl.create_default_context() if parts.scheme == "https" else None
        self.timeout = timeout
        self._idle: deque[_Connection] = deque()
        self._slots = asyncio.Semaphore(size)
        # One timer checks every request in flight, rather than a timer per request (a timer costs
        # as much as a tenth of a request): timeouts fire up to `_tick` late.
        self._in_flight: dict[_Connection, float] = {}
        self._watchdog: asyncio.TimerHandle | None = None
        self._tick = min(0.5, timeout / 4)

    async def request(self, request: bytes) -> Response:
        """Sends one complete request (head and body bytes); raises TransportError without an answer."""
        async with self._slots:
            connection, reused = await self._connection()
            try:
                return await self._exchange(connection, request)
            except TransportError:
                if not reused or connection.answered_anything:
                    raise
            # The server closed an idle connection under us: once more on a new one.
            connection, _ = await self._connection(fresh=True)
            return await self._exchange(connection, request)

    async def _connection(self, fresh: bool = False) -> tuple[_Connection, bool]:
        now = time.monotonic()
        while self._idle and not fresh:
            connection = self._idle.pop()  # the most recently used: least likely to be stale
            if not connection.closed and now - connection.used_at < IDLE_SECONDS:
                return connection, True
            if connection.transport is not None:
                connection.transport.close()
        loop = asyncio.get_running_loop()
        try:
            _, protocol = await asyncio.wait_for(
                loop.create_connection(lambda: _Connection(loop), self.host, self.port, ssl=self.ssl),
                self.timeout,
            )
        except (OSError, TimeoutError) as error:
            raise TransportError(f"cannot connect to {self.host}:{self.port}: {error!r}") from None
        return protocol, False

    async def _exchange(self, connection: _Connection, request: bytes) -> Response:
        waiter = connection.send(request)
        loop = connection.loop
        self._in_flight[connection] = loop.time() + self.timeout
        if self._watchdog is None:
            self._watchdog = loop.call_later(self._tick, self._expire)
        try:
            response = await waiter
        except BaseException:
            connection.abort(TransportError("request abandoned"))  # timeout, cancellation: never reuse it
            raise
        finally:
            del self._in_flight[connection]
        if not connection.closed:
            self._idle.append(connection)
        return response

    def _expire(self) -> None:
        """Aborts the requests past their deadline; runs every `_tick` while any is in flight."""
        self._watchdog = None
        if not self._in_flight:
            return
        loop = next(iter(self._in_flight)).loop
        now = loop.time()
        for connection, deadline in list(self._in_flight.items()):
            if deadline <= now:
                connection.abort(TransportError(f"no answer within {self.timeout} s"))
        self._watchdog = loop.call_later(self._tick, self._expire)

    def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self._idle:
            connection = self._idle.pop()
            if connection.transport is not None:
                connection.transport.close()
