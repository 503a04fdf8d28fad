"""Django's Redis cache, kept usable while Redis is away.

Printfront's cache holds short-lived things only, above all allauth's sign-in rate limits. If every
cache call raised while Redis is down, signing in and resetting a password would answer 500. So
when Redis cannot be reached, each process keeps using its own memory instead (rate limits then
hold per process, not across them) and tries Redis again after RETRY_SECONDS. See
docs/decisions.md, "Sign-in while Redis is away".
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 10
REDIS_AWAY = (RedisConnectionError, RedisTimeoutError)
# Per Redis location, shared by the process's threads (Django makes a cache object per thread):
# when to try Redis again. A location is listed only while it is away.
_away_until: dict[str, float] = {}


def _falls_back(name):
    def method(self, *args, **kwargs):
        retry_at = _away_until.get(self._location)
        if retry_at is None or time.monotonic() >= retry_at:
            try:
                result = getattr(RedisCache, name)(self, *args, **kwargs)
            except REDIS_AWAY as error:
                if retry_at is None:
                    logger.warning(
                        "The Redis cache cannot be reached (%s); using this process's memory until it is back",
                        type(error).__name__,
                    )
                _away_until[self._location] = time.monotonic() + RETRY_SECONDS
            else:
                if _away_until.pop(self._location, None) is not None:
                    logger.info("The Redis cache is back")
                return result
        return getattr(self._memory, name)(*args, **kwargs)

    method.__name__ = name
    return method


class ReusedClients(RedisCacheClient):
    """Django makes a new redis.Redis for every cache call, and making one costs more than a
    short command's round trip (the webhook receivers pay it on each delivery). A client is
    thread-safe, so one per connection pool serves every call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return self._clients[index]


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClients
        self._location = ",".join(self._servers)
        self._memory = LocMemCache(f"redis-fallback:{self._location}", params)

    def ping(self):
        """Raise unless Redis itself answers, whatever the fallback would hide (for /healthz/)."""
        self._cache.get_client(write=True).ping()

    add = _falls_back("add")
    get = _falls_back("get")
    set = _falls_back("set")
    touch = _falls_back("touch")
    delete = _falls_back("delete")
    get_many = _falls_back("get_many")
    has_key = _falls_back("has_key")
    incr = _falls_back("incr")
    set_many = _falls_back("set_many")
    delete_many = _falls_back("delete_many")
    clear = _falls_back("clear")
