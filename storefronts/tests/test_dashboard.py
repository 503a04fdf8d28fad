"""The dashboard: the client's stores, each with the state of its connection."""

import re

from django.urls import reverse

from core.tenancy import Role
from storefronts.models import Store


def row_of(page, text):
    """The table row (<tr>…</tr>) of a page that contains `text`."""
    return re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(text)}.*?</tr>", page, re.S).group(0)


def test_the_dashboard_shows_each_store_state(client, acme):
    Store.objects.create(client=acme.client, platform="woocommerce", name="Broken shop", state="failing")
    Store.objects.create(client=acme.client, platform="shopify", name="Old shop", state="disconnected")
    client.force_login(acme.user(Role.VIEWER))
    page = client.get(reverse("storefronts:dashboard")).text
    assert "Failing" in row_of(page, "Broken shop")
    assert "Disconnected" in row_of(page, "Old shop")
    assert "Connected" in row_of(page, acme.store.name)
