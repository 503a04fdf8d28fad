"""What /healthz/ checks: the database, the cache and the broker, each cheaply (one round trip,
a short timeout), since load balancers and container healthchecks call it every few seconds."""

from celery import current_app
from django.core.cache import caches
from django.db import DatabaseError, connection
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from core.cache import FallbackRedisCache

TIMEOUT_SECONDS = 1


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def cache_answers():
    cache = caches["default"]
    try:
        if isinstance(cache, FallbackRedisCache):
            cache.ping()  # its fallback would answer for Redis otherwise
        else:
            cache.set("healthz", "ok", TIMEOUT_SECONDS)
            return cache.get("healthz") == "ok"
    except (RedisError, OSError):
        return False
    return True


def broker_answers():
    try:
        with current_app.connection_for_write(connect_timeout=TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=0)
    except (KombuError, OSError):
        return False
    return True
