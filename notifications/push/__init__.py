"""Push providers behind one interface. `get_provider()` returns the one settings.PUSH_PROVIDER names."""

from functools import lru_cache
from importlib import import_module

from django.conf import settings

from notifications.push.base import Outcome, PushMessage, PushProvider, PushResult

__all__ = ["Outcome", "PushMessage", "PushProvider", "PushResult", "get_provider", "import_provider"]

_MODULES = {"fcm": "notifications.push.fcm", "console": "notifications.push.console"}


def import_provider() -> None:
    """Imports the configured provider's module (google-auth and cryptography, for FCM) without
    creating it: a worker's main process calls this before its pool forks, so the children share
    the imported code instead of each importing it at its first push (~0.5 s of CPU each)."""
    module = _MODULES.get(settings.PUSH_PROVIDER)
    if module is not None:
        import_module(module)


@lru_cache(maxsize=1)
def get_provider() -> PushProvider:
    if settings.PUSH_PROVIDER == "fcm":
        from notifications.push.fcm import FcmProvider

        return FcmProvider()
    if settings.PUSH_PROVIDER == "console":
        from notifications.push.console import ConsoleProvider

        return ConsoleProvider()
    raise ValueError(f"Unknown PUSH_PROVIDER {settings.PUSH_PROVIDER!r} (use 'fcm' or 'console').")
