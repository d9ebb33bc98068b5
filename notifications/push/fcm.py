"""Firebase Cloud Messaging, HTTP v1 API: one `POST /v1/projects/<project>/messages:send` per message.

Our own sender rather than firebase-admin's `send_each`, which starts a thread per message and goes
through google-auth's AuthorizedSession and requests for each: about 1 ms of CPU per push, the largest
cost of reminder dispatch (docs/performance.md). Here each process (each Celery pool child) keeps an
asyncio event loop per thread with a pool of keep-alive connections (`notifications.push.http1`); all
messages of a `send()` are in flight at once (up to MAX_IN_FLIGHT), so FCM's latencies overlap.

The request body is what firebase-admin sent for the same message. The OAuth2 access token comes from
the service account in `FCM_CREDENTIALS_FILE` (google-auth) and is reused until shortly before it
expires. `FCM_ENDPOINT` points the sender at another base URL (the fake FCM server of the tests and
the benchmark, on loopback); empty means Google's endpoint.

Errors (FCM's `errorCode` first, then the status of the error body, then the HTTP status):
- UNREGISTERED, SENDER_ID_MISMATCH, INVALID_ARGUMENT (400): the token is no good: TOKEN_INVALID.
- QUOTA_EXCEEDED, 429, 5xx, UNAVAILABLE, INTERNAL, timeouts and lost connections: RETRY, with the
  server's `Retry-After` when it gives one.
- 401 UNAUTHENTICATED: our access token was refused (revoked, clock skew): it is dropped, and the
  message is retried (RETRY) with a new one.
- anything else (other 4xx, THIRD_PARTY_AUTH_ERROR): FAILED, not retried.
"""

import asyncio
import json
import logging
import os
import threading
from typing import Any

from django.conf import settings
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2 import service_account

from notifications.push.base import Outcome, PushMessage, PushResult
from notifications.push.http1 import Pool, Response, TransportError

logger = logging.getLogger("notifications.push")

GOOGLE_ENDPOINT = "https://fcm.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/firebase.messaging"]
# Requests in flight at once per thread (one keep-alive connection each): a task's 100 pushes,
# times a few devices per person, all wait on FCM together.
MAX_IN_FLIGHT = 256

_TOKEN_INVALID_CODES = {"UNREGISTERED", "SENDER_ID_MISMATCH"}
_TRANSIENT_CODES = {"QUOTA_EXCEEDED", "UNAVAILABLE", "INTERNAL"}
_TRANSIENT_STATUSES = {"UNAVAILABLE", "INTERNAL", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED", "UNKNOWN"}


class FcmProvider:
    def __init__(self) -> None:
        path = settings.FCM_CREDENTIALS_FILE
        self.credentials = service_account.Credentials.from_service_account_file(path, scopes=SCOPES) if path else None
        project = settings.FCM_PROJECT_ID or getattr(self.credentials, "project_id", None) or "couples-dev"
        self.origin = (settings.FCM_ENDPOINT or GOOGLE_ENDPOINT).rstrip("/")
        self.path = f"/v1/projects/{project}/messages:send"
        self.timeout = float(settings.FCM_TIMEOUT_SECONDS)
        self._token_lock = threading.Lock()
        self._refused_token: str | None = None
        self._local = threading.local()

    def send(self, messages: list[PushMessage]) -> list[PushResult]:
        if not messages:
            return []
        # Before the loop runs: a token refresh is blocking I/O (once an hour).
        head = self._request_head()
        loop, pool = self._loop_and_pool()
        return loop.run_until_complete(self._send_all(pool, head, messages))

    def close(self) -> None:
        """Closes this thread's connections and event loop (tests; workers just exit)."""
        state = getattr(self._local, "state", None)
        if state is not None and state[0] == os.getpid():
            _, loop, pool = state
            pool.close()
            loop.run_until_complete(asyncio.sleep(0))  # let the transports finish closing
            loop.close()
        self._local.state = None

    # plumbing -----------------------------------------------------------------------------------

    def _loop_and_pool(self) -> tuple[asyncio.AbstractEventLoop, Pool]:
        """This thread's loop and pool, made on first use in this process: a pool child of a prefork
        worker never uses sockets it inherited from its parent."""
        state = getattr(self._local, "state", None)
        if state is None or state[0] != os.getpid():
            loop = asyncio.new_event_loop()
            state = (os.getpid(), loop, Pool(self.origin, size=MAX_IN_FLIGHT, timeout=self.timeout))
            self._local.state = state
        return state[1], state[2]

    def _request_head(self) -> bytes:
        """Request line and headers up to the body's length, the same for every message of a send."""
        lines = [
            f"POST {self.path} HTTP/1.1",
            f"Host: {self.origin.split('://', 1)[1]}",
            "Content-Type: application/json; charset=UTF-8",
            # firebase-admin sends it: FCM's errors then carry `details` with the FCM error code.
            "X-GOOG-API-FORMAT-VERSION: 2",
        ]
        token = self._access_token()
        if token:
            lines.append(f"Authorization: Bearer {token}")
        return ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")

    def _access_token(self) -> str | None:
        """The service account's token, refreshed only when missing, refused or about to expire
        (google-auth counts a token as expired a few minutes early)."""
        if self.credentials is None:
            return None  # the fake server on loopback takes no token
        with self._token_lock:
            if not self.credentials.valid or self.credentials.token == self._refused_token:
                self.credentials.refresh(AuthRequest())
                self._refused_token = None
            return str(self.credentials.token)

    async def _send_all(self, pool: Pool, head: bytes, messages: list[PushMessage]) -> list[PushResult]:
        return await asyncio.gather(*(self._send_one(pool, head, message) for message in messages))

    async def _send_one(self, pool: Pool, head: bytes, message: PushMessage) -> PushResult:
        body = encode(message)
        try:
            response = await pool.request(head + b"%d\r\n\r\n" % len(body) + body)
        except TransportError as error:
            return PushResult(Outcome.RETRY, f"transport: {error}"[:300])
        if response.status == 200:
            return PushResult(Outcome.DELIVERED)
        result = result_of_error(response)
        if response.status == 401 and self.credentials is not None:
            self._refused_token = self.credentials.token
        return result


def encode(message: PushMessage) -> bytes:
    """The request body firebase-admin's `Message` encoder produced for the same message."""
    if message.silent:
        # Data only: no notification block; APNs needs a background push with content-available.
        silent: dict[str, Any] = {
            "token": message.token,
            "data": message.data,
            "android": {"priority": "normal"},
            "apns": {
                "headers": {"apns-push-type": "background", "apns-priority": "5"},
                "payload": {"aps": {"content-available": 1}},
            },
        }
        if message.collapse_id:
            silent["android"]["collapse_key"] = message.collapse_id
            silent["apns"]["headers"]["apns-collapse-id"] = message.collapse_id[:64]
        return json.dumps({"message": silent}).encode()
    notification = {"title": message.title}
    if message.body:
        notification["body"] = message.body
    fcm: dict[str, Any] = {"token": message.token, "notification": notification}
    if message.data:
        fcm["data"] = message.data
    android: dict[str, Any] = {"priority": "high"}
    if message.collapse_id:
        android["collapse_key"] = message.collapse_id
        # APNs limits collapse ids to 64 bytes.
        fcm["apns"] = {"headers": {"apns-collapse-id": message.collapse_id[:64]}}
    fcm["android"] = android
    # Default separators: json.dumps reuses its cached C encoder only for the default options.
    return json.dumps({"message": fcm}).encode()


def result_of_error(response: Response) -> PushResult:
    """The outcome of an FCM error answer (see the module docstring)."""
    status, code, text = _error_fields(response)
    error = f"{code or status or 'HTTP'} ({response.status}): {text}"[:300]
    if code in _TOKEN_INVALID_CODES or (response.status == 400 and code in ("", "INVALID_ARGUMENT")):
        return PushResult(Outcome.TOKEN_INVALID, error)
    transient = (
        code in _TRANSIENT_CODES
        or status in _TRANSIENT_STATUSES
        or response.status == 429
        or response.status >= 500
        or (response.status == 401 and code != "THIRD_PARTY_AUTH_ERROR")
    )
    if transient:
        return PushResult(Outcome.RETRY, error, retry_after=_retry_after(response))
    return PushResult(Outcome.FAILED, error)


def _error_fields(response: Response) -> tuple[str, str, str]:
    """(status, FCM error code, message) from a Google API error body; empty when absent."""
    try:
        error = json.loads(response.body)["error"]
        details = error.get("details") or []
        code = next((d.get("errorCode", "") for d in details if str(d.get("@type", "")).endswith("FcmError")), "")
        return str(error.get("status") or ""), str(code), str(error.get("message") or "")
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", "", response.body[:200].decode("utf-8", "replace")


def _retry_after(response: Response) -> float | None:
    """Seconds from a `Retry-After: <seconds>` header (the HTTP-date form is not used by FCM)."""
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
