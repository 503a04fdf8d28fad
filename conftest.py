"""Shared fixtures. Tests run on SQLite and an in-memory broker by default, and on
PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (as .ci/run does). Under CI=true a
missing service is an error, never a skip."""

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
from celery.signals import worker_init
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.utils import translation

from config.celery import app as celery_app
from config.celery import refuse_unsafe_settings
from core.testing import free_port, make_client, make_user, running_sandbox
from integrations import inbox, kept_stores
from integrations.tests.helpers import sandbox_switch
from sandbox import demo_keys

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def missing(reason):
    """Skip a test for a missing service on a developer's machine; fail it under CI."""
    if IN_CI:
        pytest.fail(f"CI needs this: {reason}")
    pytest.skip(reason)


# Set in each process of a parallel run (pytest -n N): "gw0", "gw1"...
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def pytest_configure(config):
    # The live server's address is fixed before any test runs, so the sandbox can allow-list
    # its OAuth callbacks exactly, as a real app's configuration would. Each process of a
    # parallel run has its own (the controller's would be shared).
    if not config.getvalue("liveserver") or XDIST_WORKER:
        config.option.liveserver = f"localhost:{free_port()}"
    if IN_CI:
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(f"CI=true: set DATABASE_URL to PostgreSQL (got {engine})")
        if not settings.REDIS_URL:
            raise pytest.UsageError("CI=true: set REDIS_URL")
    # Close connections after each request and task, so the worker thread leaves none open
    # when the test database is dropped.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use the real broker when REDIS_URL is set; otherwise an in-process one.
    celery_app.conf.broker_url = settings.REDIS_URL or "memory://"
    celery_app.conf.broker_transport_options = {}
    if XDIST_WORKER:
        # Each process has its own test database: its tasks must reach its own worker, not a
        # neighbour's on the same Redis.
        celery_app.conf.task_default_queue = f"tests-{XDIST_WORKER}"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Uploads and seeded design templates go to the test's own folder, never var/media.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
    # A fresh cache per test, so login rate limits never carry from one test to the next.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caches["default"].clear()
    # Nor does a store a receiver kept (integrations.kept_stores): each test's stores are its own.
    kept_stores.forget_all()
    inbox.forget_outstanding()
    # A request as someone who reads Spanish leaves Spanish active in the test's thread (as in a
    # server's, until the next request sets its own): each test starts in the default language.
    translation.activate(settings.LANGUAGE_CODE)
    # The manifest storage needs collectstatic; tests read static files from their sources.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _sandbox_address(request, settings):
    """Tests that use the sandbox reach it on its test port: the outbound guard lets Printfront
    reach no other local address than SANDBOX_URL's."""
    if "sandbox_url" in request.fixturenames:
        settings.SANDBOX_URL = request.getfixturevalue("sandbox_url")


@pytest.fixture
def staff(db):
    return make_user("sam@printer.example", first_name="Sam", last_name="Staff", is_staff=True)


@pytest.fixture
def acme(db):
    return make_client("Acme", "ACME")


@pytest.fixture
def globex(db):
    """The outsider: another client whose people must never reach Acme's things."""
    return make_client("Globex", "GLOBEX")


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker consuming the test broker, in a thread of this process so it
    shares the test database."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers the worker's ping task)
    from celery.contrib.testing.worker import start_worker

    if settings.REDIS_URL:
        host = urlsplit(settings.REDIS_URL)
        try:
            socket.create_connection((host.hostname, host.port or 6379), timeout=2).close()
        except OSError:
            missing(f"Redis is not reachable at {settings.REDIS_URL}")
    # Test settings are not production's (DEBUG off, the sandbox on): this worker skips the
    # refusal a real one makes at start (tests/test_settings.py runs a real one).
    worker_init.disconnect(refuse_unsafe_settings)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as worker:
            yield worker
    finally:
        worker_init.connect(refuse_unsafe_settings)


@pytest.fixture(scope="session")
def sandbox_url(tmp_path_factory, pytestconfig):
    """The sandbox platforms, running as their own process (as in `make run`) on a free port,
    with their own database in a temporary folder. Its demo apps allow OAuth callbacks to the
    test client's host and to the live server."""
    with running_sandbox(tmp_path_factory.mktemp("sandbox"), pytestconfig.getvalue("liveserver")) as url:
        yield url


@pytest.fixture
def shopify(settings, sandbox_url):
    """Printfront's Shopify app settings pointed at the sandbox's demo app and shops."""
    settings.SANDBOX_ENABLED = True
    settings.SHOPIFY_ADMIN_URL = f"{sandbox_url}/shopify/{{shop}}"
    settings.SHOPIFY_API_KEY = demo_keys.SHOPIFY_APP_CLIENT_ID
    settings.SHOPIFY_API_SECRET = demo_keys.SHOPIFY_APP_CLIENT_SECRET
    return sandbox_url


@pytest.fixture
def etsy(settings, sandbox_url):
    """Printfront's Etsy app settings pointed at the sandbox's demo app; the demo shop's failure
    switches are reset afterwards."""
    settings.SANDBOX_ENABLED = True
    settings.ETSY_OAUTH_URL = f"{sandbox_url}/etsy/oauth/connect"
    settings.ETSY_API_URL = f"{sandbox_url}/etsy"
    settings.ETSY_API_KEY = demo_keys.ETSY_APP_KEYSTRING
    settings.ETSY_SHARED_SECRET = demo_keys.ETSY_APP_SHARED_SECRET
    yield sandbox_url
    sandbox_switch(sandbox_url, shop="etsy/demo-mugs")


@pytest.fixture
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the test's ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
        # The test's ORM calls ran beside Playwright's event loop, in their own connection:
        # close it here, or it holds the test database open when it is dropped.
        connections.close_all()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def axe_core():
    """The path of axe-core's script, for the page sweep (`make install` downloads it)."""
    from tests.a11y import axe

    if not axe.PATH.exists():
        missing(f"axe-core {axe.VERSION} is not at {axe.PATH} (make install downloads it)")
    return axe.PATH


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def pytest_terminal_summary(terminalreporter):
    """The accessibility sweep's count of violations per run (tests/test_browser_a11y.py)."""
    lines = [
        value
        for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed")
        for name, value in report.user_properties
        if name == "a11y"
    ]
    if lines:
        terminalreporter.section("accessibility sweep")
        for line in sorted(lines):
            terminalreporter.write_line(line)
