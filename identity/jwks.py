"""The providers' published signing keys (JWKS), fetched on demand and cached per process.

A key set is kept for the `max-age` of its `Cache-Control` header (bounded by
JWKS_MAX_AGE_CAP_SECONDS; JWKS_DEFAULT_MAX_AGE_SECONDS when the header says nothing usable). A token
signed with a `kid` the cached set does not hold fetches the set again at once, since providers
rotate keys before their caches expire; such refetches are spaced by JWKS_MIN_REFETCH_SECONDS, so a
stream of forged kids costs the provider one request per interval, not one per request.
"""

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from jwt import PyJWK
from jwt.exceptions import PyJWKError

from config.api.errors import ApplicationError

logger = logging.getLogger(__name__)

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(no-store|no-cache)\s*(?:,|$)", re.IGNORECASE)


class ProviderUnavailableError(ApplicationError):
    status_code = 503
    code = "provider_unavailable"
    message = _("The sign-in provider could not be reached. Try again in a moment.")


def cache_lifetime(cache_control: str | None) -> int:
    """Seconds a key set may be kept, read from its Cache-Control header."""
    if cache_control:
        if _NO_CACHE.search(cache_control):
            return 0
        match = _MAX_AGE.search(cache_control)
        if match:
            return min(int(match.group(1)), settings.JWKS_MAX_AGE_CAP_SECONDS)
    return settings.JWKS_DEFAULT_MAX_AGE_SECONDS


@dataclass
class _KeySet:
    keys: dict[str, PyJWK] = field(default_factory=dict)
    expires_at: float = 0.0
    fetched_at: float = float("-inf")


class JwksCache:
    """The keys of one JWKS URL. Thread-safe; one instance per URL per process (`keys_for`)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._set = _KeySet()
        self._lock = threading.Lock()

    def key(self, kid: str) -> PyJWK | None:
        """The key with this `kid`, fetching the set when it is stale or does not hold it (spaced)."""
        now = time.time()
        with self._lock:
            if now >= self._set.expires_at or (
                kid not in self._set.keys and now - self._set.fetched_at >= settings.JWKS_MIN_REFETCH_SECONDS
            ):
                self._set = self._fetch(now)
            return self._set.keys.get(kid)

    def _fetch(self, now: float) -> _KeySet:
        try:
            response = requests.get(self.url, timeout=settings.JWKS_TIMEOUT_SECONDS)
            response.raise_for_status()
            document: Any = response.json()
        except (requests.RequestException, ValueError) as exc:
            logger.warning("jwks: could not fetch %s (%s)", self.url, type(exc).__name__)
            if self._set.keys and now < self._set.expires_at:
                return self._set  # keep serving the keys still fresh
            raise ProviderUnavailableError() from exc
        keys: dict[str, PyJWK] = {}
        for entry in document.get("keys", []) if isinstance(document, dict) else []:
            try:
                jwk = PyJWK.from_dict(entry)
            except (PyJWKError, TypeError, ValueError):
                continue  # a key type or algorithm we do not use
            if jwk.key_id:
                keys[jwk.key_id] = jwk
        lifetime = cache_lifetime(response.headers.get("Cache-Control"))
        return _KeySet(keys=keys, expires_at=now + lifetime, fetched_at=now)


_caches: dict[str, JwksCache] = {}
_caches_lock = threading.Lock()


def keys_for(url: str) -> JwksCache:
    with _caches_lock:
        cache = _caches.get(url)
        if cache is None:
            cache = _caches[url] = JwksCache(url)
        return cache


def reset_caches() -> None:
    """Forgets every cached key set (tests)."""
    with _caches_lock:
        _caches.clear()
