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


@pytest.fixture
def as_role(client, acme):
    """Sign the test client in as Acme's person of a role: as_role(Role.VIEWER)."""

    def sign_in(role):
        client.force_login(acme.user(role))
        return client

    return sign_in
