"""Settings: the sandbox defaults match the sandbox's demo apps, and https demands secrets."""

import json
import os
import subprocess
import sys

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
