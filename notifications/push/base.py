from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol


@dataclass(frozen=True)
class PushMessage:
    token: str
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    # The notification id: a push sent twice (a retry after a lost answer) shows once on the phone.
    collapse_id: str = ""
    # A data-only push: nothing is shown, the app wakes to refresh (the home-screen widget).
    silent: bool = False


class Outcome(Enum):
    DELIVERED = "delivered"
    TOKEN_INVALID = "token_invalid"  # noqa: S105  (unregistered or malformed: stop using this device)
    RETRY = "retry"  # transient: try again later
    FAILED = "failed"  # permanent for this message: do not retry


@dataclass(frozen=True)
class PushResult:
    outcome: Outcome
    error: str = ""
    # RETRY only: the provider asked us to wait at least this many seconds (Retry-After).
    retry_after: float | None = None


class PushProvider(Protocol):
    def send(self, messages: list[PushMessage]) -> list[PushResult]:
        """Sends every message; returns one result per message, in order. Never raises for one bad message."""
        ...
