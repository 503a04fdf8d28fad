"""An order's history reads in the reader's language: what Printfront writes there is kept as its
source text and values (core.read_later), whoever's language it was written in."""

import copy
import json
import pickle

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from core.tenancy import Role
from integrations.types import SourceOrder, SourceOrderLine
from orders.intake import upsert_order
from orders.models import Order, OrderEvent
from orders.production import move_items

pytestmark = pytest.mark.django_db


def polled_order(store):
    source = SourceOrder(external_id="77", number="#1077", lines=(SourceOrderLine("L1", "Poster", 1),))
    with translation.override("es"), transaction.atomic():  # written by someone reading Spanish
        return upsert_order(store, source, via=Order.Source.POLLING).order


def test_the_history_reads_in_each_readers_language(client, acme, staff):
    acme.store.name = "Orders"  # a name is never translated, even one in the catalog
    acme.store.save()
    order = polled_order(acme.store)
    move_items(staff, order, [], "failed", reason="Blurry artwork")  # typed: shown as written
    admin = acme.user(Role.ADMIN)
    client.force_login(admin)
    page = reverse("orders:order", args=[order.code])
    english = client.get(page).text
    assert "Received from Orders (Polling)." in english and "Blurry artwork" in english
    admin.language = "es"
    admin.save()
    spanish = client.get(page).text
    assert "Recibido de Orders (Consulta periódica)." in spanish and "Blurry artwork" in spanish
    assert "Received from" not in spanish


def test_a_kept_message_is_english_where_it_is_not_shown(acme):
    order = polled_order(acme.store)
    event = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.RECEIVED)
    with translation.override("es"):
        assert event.message == "Received from Acme shop (Polling)."  # compared as its source
        assert json.dumps({"m": event.message}) == '{"m": "Received from Acme shop (Polling)."}'
        assert str(event.message) == "Recibido de Acme shop (Consulta periódica)."


def test_what_only_looks_like_a_kept_message_is_shown_as_written(acme, staff):
    """Typed text that looks like a kept message, or like its escape, is stored escaped."""
    order = polled_order(acme.store)
    odd = [
        '{"read_later": {"msgid": "%(a)999999999s", "values": {"a": "x"}}}',
        '{"read_later": ' + "[" * 1500,
        "\u2060" + '{"read_later": {"msgid": "x", "values": {}}}',
    ]
    for text in odd:
        OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.NOTE, message=text)
    shown = [str(event.message) for event in OrderEvent.objects.filter(kind=OrderEvent.Kind.NOTE)]
    assert sorted(shown) == sorted(odd)


def test_a_kept_message_copies_and_pickles_as_itself(acme):
    event = OrderEvent.objects.get(order=polled_order(acme.store), kind=OrderEvent.Kind.RECEIVED)
    for copied in (copy.copy(event.message), copy.deepcopy(event.message), pickle.loads(pickle.dumps(event))):  # noqa: S301 (our own)
        text = copied.message if isinstance(copied, OrderEvent) else copied
        with translation.override("es"):
            assert str(text) == "Recibido de Acme shop (Consulta periódica)."


def test_a_hold_reads_in_the_readers_language(acme):
    order = polled_order(acme.store)  # a custom item: held, needs mapping
    event = OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.HOLD).get()
    with translation.override("es"):
        assert str(event.message) == "Necesita asignación"  # Hold.NEEDS_MAPPING's label


def test_the_default_rule_reads_in_the_readers_language(client, staff, acme):
    order = polled_order(acme.store)  # the default rule was made then, by someone reading Spanish
    client.force_login(staff)
    page = reverse("orders:connect_order", args=[order.code])
    english = client.get(page).text
    assert ">Default</a>" in english and "Predeterminada</a>" not in english
    staff.language = "es"
    staff.save()
    assert "Predeterminada</a>" in client.get(page).text
