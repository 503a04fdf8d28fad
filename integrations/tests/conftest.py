import pytest

from sandbox import demo_keys


@pytest.fixture
def shopify(settings, sandbox_url):
    settings.SANDBOX_ENABLED = True
    settings.SHOPIFY_ADMIN_URL = f"{sandbox_url}/shopify/{{shop}}"
    settings.SHOPIFY_API_KEY = demo_keys.SHOPIFY_APP_CLIENT_ID
    settings.SHOPIFY_API_SECRET = demo_keys.SHOPIFY_APP_CLIENT_SECRET
    return sandbox_url
