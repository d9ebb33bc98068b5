"""Firebase Cloud Messaging (HTTP v1) through firebase-admin's `send_each`.

`FCM_ENDPOINT` points the client at another base URL (the fake FCM server of the tests and the
benchmark, on loopback); in production it is empty and Google's endpoint is used with the service
account in `FCM_CREDENTIALS_FILE`.
"""

import logging
import warnings
from typing import Any

import firebase_admin
import requests
from django.conf import settings
from firebase_admin import credentials, exceptions, messaging
from google.auth.credentials import AnonymousCredentials

from notifications.push.base import Outcome, PushMessage, PushResult

logger = logging.getLogger("notifications.push")

# send_each starts one thread per message: keep batches modest (FCM allows 500).
BATCH_SIZE = 100

_TOKEN_INVALID = (messaging.UnregisteredError, messaging.SenderIdMismatchError, exceptions.InvalidArgumentError)
_TRANSIENT = (
    messaging.QuotaExceededError,
    exceptions.UnavailableError,
    exceptions.InternalError,
    exceptions.DeadlineExceededError,
    exceptions.ResourceExhaustedError,
    exceptions.UnknownError,
)


class _NoCredential(credentials.Base):
    """For the loopback fake server only: sends no Authorization header."""

    def get_credential(self) -> Any:
        return AnonymousCredentials()


class FcmProvider:
    def __init__(self) -> None:
        credential: credentials.Base = (
            credentials.Certificate(settings.FCM_CREDENTIALS_FILE) if settings.FCM_CREDENTIALS_FILE else _NoCredential()
        )
        options = {"projectId": settings.FCM_PROJECT_ID or "couples-dev", "httpTimeout": settings.FCM_TIMEOUT_SECONDS}
        try:
            self.app = firebase_admin.get_app("couples")
        except ValueError:
            self.app = firebase_admin.initialize_app(credential, options, name="couples")
        if settings.FCM_ENDPOINT:
            self._point_at(settings.FCM_ENDPOINT.rstrip("/"))

    def _point_at(self, base: str) -> None:
        service = messaging._get_messaging_service(self.app)
        service._fcm_url = f"{base}/v1/projects/{self.app.project_id}/messages:send"
        # Our own retry policy decides; the client must not retry 5xx on its own.
        service._client.session.mount(base, requests.adapters.HTTPAdapter(max_retries=0, pool_maxsize=BATCH_SIZE))

    def send(self, messages: list[PushMessage]) -> list[PushResult]:
        results: list[PushResult] = []
        for start in range(0, len(messages), BATCH_SIZE):
            batch = messages[start : start + BATCH_SIZE]
            response = messaging.send_each([self._build(m) for m in batch], app=self.app)
            results.extend(self._result(r) for r in response.responses)
        return results

    @staticmethod
    def _build(message: PushMessage) -> messaging.Message:
        # firebase-admin 7 deprecates registration tokens in favour of Firebase installation ids
        # (`fid`). Our apps still register FCM registration tokens, which FCM keeps accepting;
        # moving to FIDs is an app release plus a switch here.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Message.token is deprecated", category=DeprecationWarning)
            return FcmProvider._message(message)

    @staticmethod
    def _message(message: PushMessage) -> messaging.Message:
        return messaging.Message(
            token=message.token,
            notification=messaging.Notification(title=message.title, body=message.body or None),
            data=message.data,
            android=messaging.AndroidConfig(collapse_key=message.collapse_id or None, priority="high"),
            apns=messaging.APNSConfig(
                headers={"apns-collapse-id": message.collapse_id[:64]} if message.collapse_id else None
            ),
        )

    @staticmethod
    def _result(response: messaging.SendResponse) -> PushResult:
        if response.success:
            return PushResult(Outcome.DELIVERED)
        error = response.exception
        text = f"{type(error).__name__}: {error}"[:300]
        if isinstance(error, _TOKEN_INVALID):
            return PushResult(Outcome.TOKEN_INVALID, text)
        if isinstance(error, _TRANSIENT):
            return PushResult(Outcome.RETRY, text)
        return PushResult(Outcome.FAILED, text)
