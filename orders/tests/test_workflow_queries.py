"""The workflow pages cost the same queries however many rules and orders they show (no query
a row), and "Try it" only reads: not one INSERT, UPDATE or DELETE, not even the default rule."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.types import Address, SourceOrderLine
from storefronts.models import Store
from workflows import services
from workflows.models import Action, ProductionLine, Rule

from .helpers import make_order, map_variant, store_of

pytestmark = pytest.mark.django_db


def queries(client, url, **query):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return [entry["sql"] for entry in captured.captured_queries]


def add_rules(staff, world, line, count):
    for number in range(count):
        services.create_rule(
            staff, name=f"Client {number}", client=world.client, store=world.store, countries=["DE"]
        )
        services.create_rule(staff, name=f"Route {number}", action=Action.ROUTE, production_line=line)


def add_orders(shop, count, start):
    for number in range(start, start + count):
        make_order(
            shop,
            number=f"#{number}",
            lines=(SourceOrderLine("L1", "Poster", 2, variant_id="V1"), SourceOrderLine("L2", "Card", 1)),
            shipping=Address(country="DE"),
            tags=("rush",),
        )


@pytest.fixture
def world(acme, staff, client):
    shop = store_of(acme, Store.Platform.SHOPIFY)
    map_variant(shop, "V1")
    line = ProductionLine.objects.create(name="Wide press")
    client.force_login(staff)
    return shop, line


def test_the_rules_list_costs_the_same_for_many_rules(client, acme, staff, world):
    _shop, line = world
    add_rules(staff, acme, line, 1)
    services.default_rule()  # the list's first visit saves it
    few = queries(client, reverse("workflows:rules"))
    add_rules(staff, acme, line, 10)
    assert len(queries(client, reverse("workflows:rules"))) == len(few)


def test_try_it_costs_the_same_for_many_orders_and_writes_nothing(client, acme, staff, world):
    shop, line = world
    add_rules(staff, acme, line, 2)
    Rule.objects.filter(is_default=True).delete()  # not even the default rule is made
    add_orders(shop, 2, 1)
    few = queries(client, reverse("orders:workflow_try"))
    add_orders(shop, 20, 100)
    many = queries(client, reverse("orders:workflow_try"))
    assert len(many) == len(few)
    writes = [sql for sql in many if sql.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == [] and not Rule.objects.filter(is_default=True).exists()


def test_the_production_queue_s_workflow_column_costs_no_query_a_row(client, acme, staff, world):
    shop, line = world
    services.create_rule(staff, name="Route", countries=["DE"], action=Action.ROUTE, production_line=line)
    add_orders(shop, 2, 1)
    few = queries(client, reverse("orders:connect_orders"), tab="all")
    add_orders(shop, 20, 100)
    page = client.get(reverse("orders:connect_orders"), {"tab": "all"})
    assert "Wide press" in page.text and "Route" in page.text
    assert len(queries(client, reverse("orders:connect_orders"), tab="all")) == len(few)
