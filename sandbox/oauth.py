"""What the demo apps allow-listed in their configuration, shared by the OAuth screens."""

from django.conf import settings


def allowed_redirect_uris(callback_path):
    """The app's allowed redirection URLs: each of its addresses with its callback path."""
    return [base + callback_path for base in settings.APP_URLS]


def redirect_uri_allowed(redirect_uri, callback_path):
    """Exactly one of the allowed URLs (scheme, host, port and path), as Shopify and Etsy check."""
    return redirect_uri in allowed_redirect_uris(callback_path)
