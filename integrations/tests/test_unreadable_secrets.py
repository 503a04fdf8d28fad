"""A store whose saved secrets no configured key can decrypt (a key rotated away) shows
"Reconnect needed" everywhere it appears; no page and no receiver answers 500, and nothing is
lost: saving the store keeps the old ciphertext, so putting the key back makes it readable."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse
from django.utils import timezone

from core.fields import is_unreadable
from core.models import AuditEvent
from core.signing import pressero_message_hash
from core.tenancy import Role
from integrations import services
from integrations.base import Connection
from integrations.models import WebhookDelivery
from integrations.tasks import unregister_webhooks, verify_store
from storefronts.models import Store

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
WEBHOOK_SECRET = "0123456789abcdef0123456789abcdef"
APP_SECRET = "shopify-app-secret-for-tests"
BODY = json.dumps({"id": 1287, "status": "processing", "date_modified_gmt": "2026-11-27T18:05:13"}).encode()


@pytest.fixture
def stores(settings, acme):
    """Acme's WooCommerce, Pressero and Shopify stores, saved under a key that is then rotated away."""
    settings.SHOPIFY_API_SECRET = APP_SECRET
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    made = {
        platform: Store.objects.create(
            client=acme.client,
            platform=platform,
            name=f"Acme on {platform}",
            shop_identity=identity,
            base_url=f"https://{platform}.example",
            credentials={"access_token": "secret-token"},
            webhook_secret=WEBHOOK_SECRET,
        )
        for platform, identity in [
            (Store.Platform.WOOCOMMERCE, "https://woocommerce.example"),
            (Store.Platform.PRESSERO, "pressero.example|subscriber"),
            (Store.Platform.SHOPIFY, "acme-prints.myshopify.com"),
        ]
    }
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    return {platform: Store.objects.get(pk=store.pk) for platform, store in made.items()}


@pytest.fixture
def admin(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


def test_an_unreadable_store_reads_as_reconnect_needed(stores):
    store = stores[Store.Platform.WOOCOMMERCE]
    assert is_unreadable(store.credentials)
    assert is_unreadable(store.webhook_secret)
    assert store.needs_reconnect


def test_the_pages_listing_it_say_reconnect_needed(stores, admin, client, staff, acme):
    for url in [reverse("storefronts:dashboard"), reverse("integrations:stores")]:
        response = admin.get(url)
        assert response.status_code == 200, url
    assert admin.get(reverse("integrations:stores")).text.count("Reconnect needed") == 3
    for store in stores.values():
        page = admin.get(reverse("integrations:store", args=[store.code]))
        assert page.status_code == 200
        assert "Reconnect needed" in page.text
        assert "Connect again" in page.text
    client.force_login(staff)
    connect_tab = client.get(reverse("connect:client_stores", args=[acme.client.code]))
    assert connect_tab.status_code == 200
    assert connect_tab.text.count("Reconnect needed") == 3


def test_verify_again_says_to_connect_again(stores, admin):
    store = stores[Store.Platform.WOOCOMMERCE]
    response = admin.post(reverse("integrations:store_verify", args=[store.code]), follow=True)
    assert response.status_code == 200
    assert "Connect the store again" in response.text
    verify_store.apply(args=[store.id])  # the check itself runs in the worker
    store.refresh_from_db()
    assert store.state == Store.State.FAILING


def test_saving_keeps_the_ciphertext_so_the_old_key_still_reads_it(stores, settings, admin):
    store = stores[Store.Platform.WOOCOMMERCE]
    admin.post(reverse("integrations:store_verify", args=[store.code]))  # saves the store
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    store = Store.objects.get(pk=store.pk)
    assert store.credentials == {"access_token": "secret-token"}
    assert store.webhook_secret == WEBHOOK_SECRET
    assert not store.needs_reconnect


def test_connecting_again_replaces_the_unreadable_secrets(stores, acme):
    store = stores[Store.Platform.PRESSERO]
    connection = Connection(
        name=store.name,
        shop_identity=store.shop_identity,
        base_url=store.base_url,
        credentials={"username": "new"},
    )
    services.save_connection(acme.user(Role.ADMIN), acme.members[Role.ADMIN], store.platform, connection)
    store = Store.objects.get(pk=store.pk)
    assert store.credentials == {"username": "new"}
    assert store.webhook_secret and store.webhook_secret != WEBHOOK_SECRET
    assert not store.needs_reconnect


def test_the_token_renewal_sweep_passes_it_by(stores):
    assert services.refresh_expiring_tokens() == 0
    store = Store.objects.get(pk=stores[Store.Platform.SHOPIFY].pk)
    assert store.state == Store.State.CONNECTED
    assert not AuditEvent.objects.filter(verb="store.verified").exists()


def post_delivery(client, store, headers):
    url = reverse(f"hooks:{store.platform}", args=[store.code])
    return client.post(url, data=BODY, content_type="application/json", headers=headers)


def test_receivers_that_need_the_store_secret_ask_to_retry_later(stores, client):
    woocommerce, pressero = stores[Store.Platform.WOOCOMMERCE], stores[Store.Platform.PRESSERO]
    signature = base64.b64encode(hmac.new(WEBHOOK_SECRET.encode(), BODY, hashlib.sha256).digest()).decode()
    answers = [
        post_delivery(
            client, woocommerce, {"X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-Signature": signature}
        ),
        post_delivery(client, pressero, {"MessageHash": pressero_message_hash(WEBHOOK_SECRET, BODY)}),
    ]
    for answer in answers:
        assert answer.status_code == 503
        assert answer["Retry-After"] == "3600"
        assert "connected again" in answer.text
    assert not WebhookDelivery.objects.exists()


def test_shopify_deliveries_still_arrive_they_are_signed_with_the_app_secret(stores, client):
    store = stores[Store.Platform.SHOPIFY]
    signature = base64.b64encode(hmac.new(APP_SECRET.encode(), BODY, hashlib.sha256).digest()).decode()
    answer = post_delivery(
        client,
        store,
        {
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": store.shop_identity,
            "X-Shopify-Webhook-Id": "w-1",
        },
    )
    assert answer.status_code == 200
    assert WebhookDelivery.objects.get().signature_valid


def test_removing_webhooks_with_credentials_no_key_reads_ends_at_once(stores):
    # Disconnected with readable credentials, kept for the removal; then the key was rotated away.
    store = stores[Store.Platform.WOOCOMMERCE]
    Store.objects.filter(pk=store.pk).update(
        state=Store.State.DISCONNECTED, updated_at=timezone.now() - timedelta(hours=1)
    )
    assert services.lost_cleanups() == [store.id]
    unregister_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    assert store.credentials is None
    assert store.webhooks_error.endswith("Remove them in the shop's settings.")
    assert services.lost_cleanups() == []
