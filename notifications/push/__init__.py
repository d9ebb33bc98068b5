"""Push providers behind one interface. `get_provider()` returns the one settings.PUSH_PROVIDER names."""

from functools import lru_cache

from django.conf import settings

from notifications.push.base import Outcome, PushMessage, PushProvider, PushResult

__all__ = ["Outcome", "PushMessage", "PushProvider", "PushResult", "get_provider"]


@lru_cache(maxsize=1)
def get_provider() -> PushProvider:
    if settings.PUSH_PROVIDER == "fcm":
        from notifications.push.fcm import FcmProvider

        return FcmProvider()
    if settings.PUSH_PROVIDER == "console":
        from notifications.push.console import ConsoleProvider

        return ConsoleProvider()
    raise ValueError(f"Unknown PUSH_PROVIDER {settings.PUSH_PROVIDER!r} (use 'fcm' or 'console').")
