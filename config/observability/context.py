"""Who and what a log line is about: the request id, a hash of the user id and the Celery task id.

Set by the request middleware, the authentication class and Celery's task signals; read by the
logging filter, so every line logged while serving a request or running a task carries them.
"""

import hashlib
import hmac
import logging
from contextvars import ContextVar
from typing import Any

from django.conf import settings

request_id: ContextVar[str] = ContextVar("request_id", default="")
user_hash: ContextVar[str] = ContextVar("user_hash", default="")
task_id: ContextVar[str] = ContextVar("task_id", default="")
task_name: ContextVar[str] = ContextVar("task_name", default="")


def hash_user_id(user_id: Any) -> str:
    """A stable pseudonym of a user id for logs: keyed, so a leaked log cannot be joined to the users
    table without the key, yet one user's lines can be followed across requests."""
    key = settings.SECRET_KEY.encode() or b"unset"
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


def bind_user(user_id: Any) -> None:
    user_hash.set(hash_user_id(user_id) if user_id else "")


class ContextFilter(logging.Filter):
    """Adds request_id, user_hash, task_id and task_name to every record (empty outside their scope)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.user_hash = user_hash.get()
        record.task_id = task_id.get()
        record.task_name = task_name.get()
        return True
