"""The shared cache's backend: Django's Redis cache, with one redis-py client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` on every cache call, and that
constructor (it fills in a table of response callbacks) cost more CPU than the GET it was made
for: a fifth of a kept widget snapshot's request (`GET widget`, polled by every phone). The client
only wraps its connection pool, holds no connection of its own and is safe to share between
threads, so one per pool is kept and reused. Connections, their failures and reconnection stay
the pool's, as before.
"""

from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[Any, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # private to django-stubs
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = redis.Redis(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
