"""What Shopify signs with the app's secret (OAuth callbacks, webhook deliveries), checked
against the current secret and, during a rotation, the previous one: Shopify may go on
signing with the previous secret for up to an hour after it changes (PLATFORMS.md §1.3)."""

from django.conf import settings

from core.signing import verify_shopify_query, verify_shopify_webhook


def app_secrets():
    current, previous = settings.SHOPIFY_API_SECRET, settings.SHOPIFY_API_SECRET_PREVIOUS
    return [secret for secret in (current, previous) if secret]


def callback_is_signed(params):
    return any(verify_shopify_query(params, secret) for secret in app_secrets())


def webhook_is_signed(body, signature):
    return any(verify_shopify_webhook(body, signature, secret) for secret in app_secrets())
