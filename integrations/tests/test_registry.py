"""Every registered platform has a connect page, and its adapter the whole interface."""

import inspect

import pytest
from django.urls import reverse
from django.utils.module_loading import import_string

from integrations.base import PlatformAdapter, ProductSource, TokenRefreshing, WebhookRegistering
from integrations.registry import PLATFORMS
from integrations.services import EXPIRING_TOKEN_PLATFORMS
from storefronts.models import Store


def methods(protocol):
    return [name for name, _ in inspect.getmembers(protocol, callable) if not name.startswith("_")]


@pytest.mark.parametrize("entry", PLATFORMS.values(), ids=list(PLATFORMS))
def test_each_platform_is_complete(entry):
    assert entry.key in Store.Platform.values
    assert reverse(entry.connect_url_name)
    if not entry.adapter:
        assert entry.key == Store.Platform.MANUAL
        return
    adapter = import_string(entry.adapter)
    for name in methods(PlatformAdapter):
        assert callable(getattr(adapter, name, None)), f"{entry.adapter} lacks {name}"
    if entry.key != Store.Platform.PRESSERO:  # Pressero's products arrive with its orders
        assert all(callable(getattr(adapter, name, None)) for name in methods(ProductSource))
    if entry.key in EXPIRING_TOKEN_PLATFORMS:
        assert all(callable(getattr(adapter, name, None)) for name in methods(TokenRefreshing))
    if entry.key in (Store.Platform.SHOPIFY, Store.Platform.WOOCOMMERCE):
        assert all(callable(getattr(adapter, name, None)) for name in methods(WebhookRegistering))


def test_every_platform_can_be_connected():
    assert set(PLATFORMS) == set(Store.Platform.values)
