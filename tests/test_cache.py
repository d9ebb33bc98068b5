"""config.cache.RedisCache: Django's Redis cache, one redis-py client per connection pool."""

from django.conf import settings
from django.core.cache import caches

from config.cache import RedisCache


def test_the_cache_is_redis_with_one_client_reused_across_calls():
    cache = caches["default"]
    assert isinstance(cache, RedisCache)  # the test settings use the production backend
    cache.set("config-cache-test", {"a": 1}, 30)
    first = cache._cache.get_client("config-cache-test")

    assert cache.get("config-cache-test") == {"a": 1}
    assert cache._cache.get_client("config-cache-test") is first
    assert cache._cache.get_client(None, write=True) is first  # one server: reads and writes share its pool
    cache.delete("config-cache-test")
    assert cache.get("config-cache-test") is None


def test_separate_caches_keep_separate_clients():
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    other = RedisCache(settings.CACHES["default"]["LOCATION"], {})
    assert other._cache.get_client() is not cache._cache.get_client()
    assert other._cache.get_client() is other._cache.get_client()
