"""Redis away, as cache and as broker: pointed at a local port where nothing listens, so every
call really fails to connect."""

import json
import logging
import os
import socket
import subprocess
import sys

import pytest
from celery import Celery
from django.core.cache import caches
from django.urls import reverse

from config.celery import app as celery_app
from core import cache as cache_module
from core import health
from core.cache import FallbackRedisCache
from core.tasks import enqueue_on_commit
from core.tenancy import Role
from core.testing import PASSWORD


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


@pytest.fixture
def closed_redis():
    return closed_port_url()


@pytest.fixture(scope="module")
def caches_for_a_redis_away():
    """CACHES exactly as config/settings.py builds them for a REDIS_URL where nothing listens."""
    show = "import json; from config import settings; print(json.dumps(settings.CACHES))"
    shown = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", show],
        env={**os.environ, "REDIS_URL": closed_port_url()},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(shown.stdout)


@pytest.fixture(autouse=True)
def _no_outage_known(monkeypatch):
    """Each test starts with Redis not yet known to be away."""
    monkeypatch.setattr(cache_module, "_away_until", {})


@pytest.fixture
def cache_away(settings, caches_for_a_redis_away):
    settings.CACHES = caches_for_a_redis_away
    return caches_for_a_redis_away["default"]["LOCATION"]


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_in_works_while_the_cache_is_away(client, acme, cache_away):
    response = sign_in(client, acme.user(Role.ADMIN).email, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("storefronts:dashboard")
    assert client.get(reverse("storefronts:dashboard")).status_code == 200


def test_sign_in_is_still_rate_limited_while_the_cache_is_away(client, acme, cache_away):
    email = acme.user(Role.ADMIN).email
    first = sign_in(client, email, "wrong")
    for _ in range(8):
        last = sign_in(client, email, "wrong")
    assert first.status_code == 200
    assert last.status_code == 429 or "Too many failed login attempts" in last.text


def test_password_reset_works_while_the_cache_is_away(client, acme, cache_away):
    response = client.post(reverse("account_reset_password"), {"email": acme.user(Role.ADMIN).email})
    assert response.status_code == 302


def test_the_cache_outage_is_logged_once(client, acme, cache_away, caplog):
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        sign_in(client, acme.user(Role.ADMIN).email, "wrong")
        sign_in(client, acme.user(Role.ADMIN).email, "wrong")
    assert [record.getMessage() for record in caplog.records] == [
        "The Redis cache cannot be reached (ConnectionError); using this process's memory until it is back"
    ]


def test_the_cache_uses_redis_again_once_it_is_back(settings, monkeypatch, caplog):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (CI always sets it)")
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.FallbackRedisCache", "LOCATION": settings.REDIS_URL}
    }
    cache = caches["default"]
    # Redis was away, and the time to try it again has come.
    monkeypatch.setitem(cache_module._away_until, cache._location, 0.0)
    with caplog.at_level(logging.INFO, logger="core.cache"):
        cache.set("outage-test", "in redis", 5)
    assert cache._location not in cache_module._away_until
    assert "The Redis cache is back" in caplog.text
    assert cache._cache.get(cache.make_key("outage-test"), None) == "in redis"  # in Redis itself
    cache.delete("outage-test")


# --- /healthz/ ----------------------------------------------------------------------------------


def test_health_reports_every_part(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


def test_health_reports_the_cache_and_broker_away(client, db, cache_away, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_write_url", cache_away)  # the one /healthz/ tries
    response = client.get(reverse("health"))
    # Printfront still serves without them: a monitor sees "degraded", a load balancer keeps it.
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unavailable",
        "broker": "unavailable",
    }


def test_health_checks_redis_itself_not_the_fallback(cache_away):
    cache = caches["default"]
    assert isinstance(cache, FallbackRedisCache)
    cache.set("key", "value")  # answered from memory
    assert cache.get("key") == "value"
    assert health.cache_answers() is False


# --- Queueing while the broker is away ----------------------------------------------------------


@pytest.fixture
def task_on_a_dead_broker(closed_redis):
    app = Celery("outage-test", broker=closed_redis, set_as_current=False)
    app.conf.task_publish_retry_policy = {"max_retries": 0}

    @app.task(name="outage_test.noop")
    def noop(item_id):
        return item_id

    return noop


def test_a_failed_enqueue_logs_one_line(
    db, task_on_a_dead_broker, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.INFO, logger="core.tasks"), django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(task_on_a_dead_broker, 42)
    [record] = caplog.records
    assert record.exc_info is None
    message = record.getMessage()
    assert "\n" not in message
    assert message.startswith("Could not queue outage_test.noop(42,) (OperationalError: ")
    assert message.endswith("; the periodic sweep will retry it")
