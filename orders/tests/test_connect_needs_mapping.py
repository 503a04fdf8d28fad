"""Connect > Orders > Needs mapping: what waits for a mapping across clients, one row per shop
variant (custom items by title), linking to the client's product in Connect."""

import re

import pytest
from django.urls import reverse

from catalog.models import StoreProduct, StoreVariant
from integrations.types import SourceOrderLine
from orders.intake import relink_store

from .connect_helpers import line, place
from .helpers import map_variant, store_of

pytestmark = pytest.mark.django_db
URL = reverse("orders:connect_needs_mapping")


def rows(response):
    return re.findall(r"<tr>(.*?)</tr>", response.text, re.S)[1:] if "<tbody>" in response.text else []


def test_unmapped_items_grouped_by_variant_with_the_orders_waiting(client, staff, acme, globex):
    acme_shop, globex_shop = store_of(acme, name="Acme Shopify"), store_of(globex, name="Globex Shopify")
    synced = StoreProduct.objects.create(store=acme_shop, external_id="P-V9", title="Harbour mug")
    StoreVariant.objects.create(store=acme_shop, product=synced, external_id="V9", sku="MUG-1")
    place(acme_shop, 1, lines=[line(1, "Harbour mug", "V9", 2, sku="MUG-1")])
    place(
        acme_shop,
        2,
        lines=[line(1, "Harbour mug", "V9", 3, sku="MUG-1"), SourceOrderLine("L2", "Gift wrap", 1)],
    )
    place(globex_shop, 3, lines=[line(1, "Globex tote", "T1", 1, sku="TOTE")])
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 200
    found = rows(response)
    assert len(found) == 3
    mug = next(row for row in found if "Harbour mug" in row)
    product_url = reverse("catalog:connect_client_product", args=[acme.client.code, synced.code])
    assert product_url in mug and "MUG-1" in mug
    assert re.findall(r'class="num">(?:<a [^>]+>)?(\d+)', mug) == ["2", "5"]  # orders, pieces
    wrap = next(row for row in found if "Gift wrap" in row)
    assert "Custom item" in wrap
    tote = next(row for row in found if "Globex tote" in row)
    assert "Globex" in tote and "Not in the store's synced products yet." in tote


def test_mapping_the_variant_empties_the_queue(client, staff, acme):
    shop = store_of(acme)
    place(shop, 1, lines=[line(1, "Harbour mug", "V9", 1)])
    client.force_login(staff)
    assert len(rows(client.get(URL))) == 1
    map_variant(shop, "V9")
    relink_store(shop.id)
    response = client.get(URL)
    assert rows(response) == [] and "Nothing waits for a mapping" in response.text
