import pytest

from sandbox import demo_keys

from .helpers import sandbox_switch


@pytest.fixture
def shopify(settings, sandbox_url):
    settings.SANDBOX_ENABLED = True
    settings.SHOPIFY_ADMIN_URL = f"{sandbox_url}/shopify/{{shop}}"
    settings.SHOPIFY_API_KEY = demo_keys.SHOPIFY_APP_CLIENT_ID
    settings.SHOPIFY_API_SECRET = demo_keys.SHOPIFY_APP_CLIENT_SECRET
    return sandbox_url


@pytest.fixture
def etsy(settings, sandbox_url):
    settings.SANDBOX_ENABLED = True
    settings.ETSY_OAUTH_URL = f"{sandbox_url}/etsy/oauth/connect"
    settings.ETSY_API_URL = f"{sandbox_url}/etsy"
    settings.ETSY_API_KEY = demo_keys.ETSY_APP_KEYSTRING
    settings.ETSY_SHARED_SECRET = demo_keys.ETSY_APP_SHARED_SECRET
    yield sandbox_url
    sandbox_switch(sandbox_url, shop="etsy/demo-mugs")
