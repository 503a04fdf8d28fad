"""Settings: the sandbox defaults match the sandbox's demo apps, and https demands secrets."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import demo_keys

SHOW = (
    "import json; from config import settings as s; print(json.dumps([s.SHOPIFY_API_KEY, s.SHOPIFY_API_SECRET,"
    " s.ETSY_API_KEY, s.ETSY_SHARED_SECRET, s.SHOPIFY_ADMIN_URL, s.ETSY_API_URL]))"
)


def settings_with(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "ETSY_"))}
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", SHOW], env={**environment, **env}, capture_output=True, text=True, check=False
    )


def test_sandbox_defaults_are_the_sandbox_demo_apps():
    shown = settings_with(DEBUG="True", SANDBOX_URL="http://127.0.0.1:8100")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == [
        demo_keys.SHOPIFY_APP_CLIENT_ID,
        demo_keys.SHOPIFY_APP_CLIENT_SECRET,
        demo_keys.ETSY_APP_KEYSTRING,
        demo_keys.ETSY_APP_SHARED_SECRET,
        "http://127.0.0.1:8100/shopify/{shop}",
        "http://127.0.0.1:8100/etsy",
    ]


def test_without_the_sandbox_the_real_platforms_and_no_demo_secrets():
    shown = settings_with(DEBUG="False", SANDBOX_ENABLED="False")
    assert json.loads(shown.stdout) == ["", "", "", "", "https://{shop}", "https://api.etsy.com"]


def test_https_requires_secret_key_and_encryption_keys():
    shown = settings_with(SITE_URL="https://orders.example.com", SECRET_KEY="", FIELD_ENCRYPTION_KEYS="")
    assert shown.returncode != 0
    assert "must be set when SITE_URL is https://" in shown.stderr


# --- Settings Printfront refuses to start with (core/checks.py) ----------------------------------

BASE_DIR = Path(__file__).resolve().parent.parent
FERNET_KEY = "Qm9ndXMta2V5LWZvci10ZXN0cy1vbmx5LTMyYnl0ZXM="
SECRET = "a-long-random-secret-key-for-these-tests-only-0123456789"
CONFIGURATION = ("DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "SITE_URL", "SANDBOX_")


def run(command, **env):
    """Run a command of this project with only `env` configured (as a fresh shell would)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(CONFIGURATION)}
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        command,
        env={**environment, **env},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def check(**env):
    return run([sys.executable, "manage.py", "check"], **env)


@pytest.mark.parametrize("site_url", ["http://orders.example.com", "https://orders.example.com"])
def test_debug_off_refuses_the_public_secret_key_on_http_as_on_https(site_url):
    public_key = "django-insecure-local-only-key-set-SECRET_KEY-in-production"
    refused = check(DEBUG="False", SITE_URL=site_url, SECRET_KEY=public_key, FIELD_ENCRYPTION_KEYS=FERNET_KEY)
    assert refused.returncode != 0
    assert "printfront.E001" in refused.stderr
    assert "SECRET_KEY is not set" in refused.stderr
    accepted = check(DEBUG="False", SITE_URL=site_url, SECRET_KEY=SECRET, FIELD_ENCRYPTION_KEYS=FERNET_KEY)
    assert accepted.returncode == 0, accepted.stderr


def test_debug_off_without_any_secret_key_is_refused():
    refused = check(DEBUG="False")
    assert refused.returncode != 0
    assert "printfront.E001" in refused.stderr


def test_a_local_run_needs_no_configuration():
    # What `make run` does: DEBUG=True, the sandbox on, no secrets.
    shown = check(DEBUG="True")
    assert shown.returncode == 0, shown.stderr


def test_the_sandbox_without_debug_is_refused_unless_forced():
    refused = check(DEBUG="False", SECRET_KEY=SECRET, SANDBOX_ENABLED="True")
    assert refused.returncode != 0
    assert "printfront.E002" in refused.stderr
    assert "SANDBOX_FORCE=True" in refused.stderr
    forced = check(DEBUG="False", SECRET_KEY=SECRET, SANDBOX_ENABLED="True", SANDBOX_FORCE="True")
    assert forced.returncode == 0, forced.stderr


def test_field_encryption_keys_must_be_fernet_keys_and_are_never_echoed():
    refused = check(DEBUG="True", FIELD_ENCRYPTION_KEYS=f"{FERNET_KEY},not-a-fernet-key")
    assert refused.returncode != 0
    assert "printfront.E003" in refused.stderr
    assert "FIELD_ENCRYPTION_KEYS[1] is not a Fernet key" in refused.stderr
    assert "FIELD_ENCRYPTION_KEYS[0]" not in refused.stderr
    assert "not-a-fernet-key" not in refused.stderr


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_runserver_refuses_to_start():
    address = f"127.0.0.1:{free_port()}"
    refused = run([sys.executable, "manage.py", "runserver", "--noreload", address], DEBUG="False")
    assert refused.returncode != 0
    assert "printfront.E001" in refused.stderr


def test_gunicorn_refuses_to_load_the_application():
    gunicorn = [str(Path(sys.executable).with_name("gunicorn")), "--check-config", "config.wsgi"]
    refused = run(gunicorn, DEBUG="False", SANDBOX_ENABLED="True")
    assert refused.returncode != 0
    assert "Printfront refuses to start" in refused.stderr
    assert "printfront.E001" in refused.stderr and "printfront.E002" in refused.stderr
    accepted = run(gunicorn, DEBUG="False", SECRET_KEY=SECRET)
    assert accepted.returncode == 0, accepted.stderr


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_the_celery_worker_and_beat_refuse_to_start(service, tmp_path):
    celery = [str(Path(sys.executable).with_name("celery")), "-A", "config", service, "-l", "info"]
    refused = run(celery, DEBUG="False", SANDBOX_ENABLED="True", VAR_DIR=str(tmp_path))
    assert refused.returncode != 0
    assert "Printfront refuses to start" in refused.stderr
    assert "printfront.E001" in refused.stderr and "printfront.E002" in refused.stderr


def listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_container_healthcheck_passes_in_production_shape(tmp_path):
    # docker-compose.yml's healthcheck against gunicorn with DEBUG off and an https SITE_URL:
    # a request for 127.0.0.1 would be refused (400), a plain http one redirected (301).
    port = free_port()
    production = {
        "DEBUG": "False",
        "SITE_URL": "https://orders.example.com",
        "SECRET_KEY": SECRET,
        "FIELD_ENCRYPTION_KEYS": FERNET_KEY,
        "VAR_DIR": str(tmp_path),  # SQLite, the cache and the broker of their own
    }
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(CONFIGURATION) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    gunicorn = [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
        gunicorn, env={**environment, **production}, cwd=BASE_DIR, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while not listening(port) and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        probe = [sys.executable, "config/healthcheck.py", f"http://127.0.0.1:{port}"]
        healthy = run(probe, **production)
        assert healthy.returncode == 0, healthy.stderr
        # And it fails for a host Printfront does not serve.
        other_host = run(probe, **{**production, "SITE_URL": "https://elsewhere.example.com"})
        assert "unhealthy: HTTP Error 400" in other_host.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)
