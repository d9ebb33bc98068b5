"""Fixed-window rate limits stored in the shared cache (Redis in every deployed environment).

DRF's throttles read, then write the counter, so two processes can both let a request through;
here the count is one atomic INCR, and every web process shares it through Redis.
"""

import hashlib
import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from config.api.client_ip import client_ip
from config.api.errors import ApplicationError, RateLimitedError

logger = logging.getLogger(__name__)

# Scopes that let requests through when Redis is down. A refresh token cannot be guessed (it is
# signed), so its limit is only about load; refusing refreshes during a Redis blip would sign every
# phone out. Every other scope guards something guessable (passwords, invite codes) and fails closed.
FAIL_OPEN_SCOPES = frozenset({"refresh"})


class RateLimiterUnavailableError(ApplicationError):
    status_code = 503
    code = "rate_limiter_unavailable"
    message = "This action is briefly unavailable. Please try again in a minute."


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
    try:
        attempts = _count(key, period)
    except Exception as exc:  # Redis unreachable or timing out
        logger.exception("rate limiter unavailable for scope %s", scope)
        if scope in FAIL_OPEN_SCOPES:
            return
        raise RateLimiterUnavailableError() from exc
    if attempts > limit:
        raise RateLimitedError(wait=math.ceil(period - (now % period)))


def _count(key: str, period: int) -> int:
    cache.add(key, 0, timeout=period + 1)
    try:
        return cache.incr(key)
    except ValueError:  # the window's key expired between add and incr: start it again
        cache.add(key, 1, timeout=period + 1)
        return 1
