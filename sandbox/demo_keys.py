"""Stable demo credentials of the sandbox shops, so pages, docs and tests can name them.
(Plain Python: tests of the main project import it without the sandbox's models.)"""

import hashlib


def demo_key(handle, label):
    return hashlib.sha1(f"{handle}:{label}".encode()).hexdigest()  # noqa: S324 (a demo value, not a digest of secrets)


def woocommerce_key(handle, label):
    """(consumer key, consumer secret) of a demo WooCommerce key."""
    return f"ck_{demo_key(handle, label)}", f"cs_{demo_key(handle, label + ':secret')}"


WOOCOMMERCE_KEYS = (("Printfront read/write", "read_write"), ("Read only", "read"))

# The demo Shopify app the sandbox knows. Printfront's settings default to these while the
# sandbox is on (config/settings.py repeats them; a test keeps the two equal).
SHOPIFY_APP_CLIENT_ID = "sandbox-printfront-app"
SHOPIFY_APP_CLIENT_SECRET = "sandbox-shopify-app-secret"  # noqa: S105 (a demo value)
# Where the app may send merchants back, as allow-listed in a real app's configuration.
SHOPIFY_APP_REDIRECT_PATH = "/storefronts/stores/connect/shopify/callback/"

# The demo Etsy app: its keystring (client_id), shared secret and allowed redirect path.
ETSY_APP_KEYSTRING = "sandboxetsykeystring0001"
ETSY_APP_SHARED_SECRET = "sandboxetsysharedsecret"  # noqa: S105 (a demo value)
ETSY_APP_REDIRECT_PATH = "/storefronts/stores/connect/etsy/callback/"

# The demo Pressero subscriber's API credentials (Pressero issues the two GUIDs).
PRESSERO_USERNAME = "printfront-api"
PRESSERO_PASSWORD = "sandbox-pressero-password"  # noqa: S105 (a demo value)
PRESSERO_SUBSCRIBER_ID = "c1af80fb-5a1e-4c0e-9b1a-0d5e7d2f4a10"
PRESSERO_CONSUMER_ID = "5f2a3c44-8b6d-4e21-a7c9-2e4f6a8b0c12"
