import pytest

from sandbox import demo_keys

from .helpers import sandbox_switch


@pytest.fixture
def etsy(settings, sandbox_url):
    settings.SANDBOX_ENABLED = True
    settings.ETSY_OAUTH_URL = f"{sandbox_url}/etsy/oauth/connect"
    settings.ETSY_API_URL = f"{sandbox_url}/etsy"
    settings.ETSY_API_KEY = demo_keys.ETSY_APP_KEYSTRING
    settings.ETSY_SHARED_SECRET = demo_keys.ETSY_APP_SHARED_SECRET
    yield sandbox_url
    sandbox_switch(sandbox_url, shop="etsy/demo-mugs")
