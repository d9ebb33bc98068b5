"""Fixed-window rate limits stored in the shared cache (Redis in every deployed environment).

DRF's throttles read, then write the counter, so two processes can both let a request through;
here the count is one atomic INCR, and every web process shares it through Redis.

When Redis does not answer, sign-in, sign-up, password reset and couple/join keep working: their
attempts are counted by a fallback limiter in the process's own memory, with the same limits (so a
client gets at most the limit per web process, per window: a few times the shared limit, still far
from what guessing a password or an invite code needs), and a warning is logged. After a Redis
error the limiter stays on the fallback for REDIS_RETRY_SECONDS, so an outage costs one failed
connection per process every few seconds, not one per request. docs/operations.md, "Redis is down".
"""

import hashlib
import ipaddress
import logging
import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from config.api.client_ip import client_ip
from config.api.deadline import DeadlineExceededError
from config.api.errors import RateLimitedError

logger = logging.getLogger(__name__)

# Seconds the limiter stays on its fallback after Redis failed, before it tries Redis again.
REDIS_RETRY_SECONDS = 5.0
# Bounds the fallback's memory under a flood of distinct identities (each key is ~100 bytes).
FALLBACK_MAX_KEYS = 100_000


def client_identity(request: HttpRequest) -> str:
    """The client address rate limits count against: the IP, or its /64 for IPv6.

    One IPv6 subscriber usually gets a whole /64, so keying on the full address would give them
    2**64 fresh counters.
    """
    ip = client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _parse(rate: str) -> tuple[int, int]:
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds)


def enforce_rate_limit(scope: str, identity: str) -> None:
    """Counts one attempt of `scope` by `identity`; raises RateLimitedError (429) past the limit.

    `identity` is hashed so the cache never holds e-mail addresses or IPs in clear.
    """
    if not settings.RATE_LIMITS_ENABLED:
        return
    limit, period = _parse(settings.RATE_LIMITS[scope])
    now = time.time()
    window = int(now // period)
    digest = hashlib.sha256(identity.lower().encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{window}"
    expires = (window + 1) * period
    if _fallback.is_active(now):
        attempts = _fallback.count(key, expires, now)
    else:
        try:
            attempts = _count(key, period)
        except DeadlineExceededError:
            raise
        except Exception as exc:  # Redis unreachable or timing out
            _fallback.redis_failed(now, scope, exc)
            attempts = _fallback.count(key, expires, now)
    if attempts > limit:
        raise RateLimitedError(wait=math.ceil(period - (now % period)))


def _count(key: str, period: int) -> int:
    cache.add(key, 0, timeout=period + 1)
    try:
        return cache.incr(key)
    except ValueError:  # the window's key expired between add and incr: start it again
        cache.add(key, 1, timeout=period + 1)
        return 1


class _FallbackLimiter:
    """Fixed windows in this process's memory, used while Redis is unreachable (see the module doc)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (attempts, end of its window)
        self._down_until = 0.0

    def is_active(self, now: float) -> bool:
        """True while Redis failed less than REDIS_RETRY_SECONDS ago."""
        return now < self._down_until

    def redis_failed(self, now: float, scope: str, exc: Exception) -> None:
        with self._lock:
            was_up = self._down_until <= now
            self._down_until = now + REDIS_RETRY_SECONDS
        if was_up:
            logger.warning(
                "rate limiter: Redis unavailable (%s: %s); counting in process memory (scope %s) for %ss",
                type(exc).__name__,
                str(exc).strip()[:200],
                scope,
                REDIS_RETRY_SECONDS,
            )

    def count(self, key: str, expires: float, now: float) -> int:
        """Counts one attempt on `key`, whose window ends at `expires`; returns the window's total."""
        with self._lock:
            if len(self._counts) >= FALLBACK_MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            if len(self._counts) >= FALLBACK_MAX_KEYS:
                self._counts.clear()  # a flood of live identities: start over rather than grow
            attempts = self._counts.get(key, (0, expires))[0] + 1
            self._counts[key] = (attempts, expires)
            return attempts

    def reset(self) -> None:
        """Forgets every count and the outage (tests)."""
        with self._lock:
            self._counts.clear()
            self._down_until = 0.0


_fallback = _FallbackLimiter()


def reset_fallback() -> None:
    """Forgets the fallback's counts and any Redis outage it noticed (tests start from a clean slate)."""
    _fallback.reset()
