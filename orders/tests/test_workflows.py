"""Workflow rules applied to orders as they arrive, through the real arrival paths (the
manual order page, the one upsert every shop's report goes through): the review hold with its
reason, released by staff; straight to production once the print files pass; routing,
priority and the notification email; and "Try it", which changes nothing."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import DatabaseError, connections, transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from catalog.models import FileCheck, StoreVariant
from core import emails
from core.models import AuditEvent
from core.tenancy import Role
from core.testing import wait_for
from integrations.types import Address, SourceOrderLine
from orders import print_files, rules
from orders.models import Hold, ItemStatus, Order, OrderEvent
from orders.production import MoveRefused, move_items
from storefronts.models import Store
from workflows import services
from workflows.models import Action, Priority, ProductionLine, Rule

from .helpers import make_order, map_variant, store_of
from .manual_helpers import SHARP, card_variant, mapped_card, order_form, upload

pytestmark = pytest.mark.django_db


def place(client, world, reference, country="ES", items=None):
    """An order placed on the manual order page, as the client's Order Manager."""
    client.force_login(world.user(Role.ORDER_MANAGER))
    if items is None:
        variant = StoreVariant.objects.filter(store=world.store, external_id="V1").first()
        items = [{"variant": (variant or mapped_card(world.store)).code.hex, "quantity": "2"}]
    response = client.post(
        reverse("orders:manual_place", kwargs={"code": world.store.code}),
        order_form(items, reference=reference, ship_country=country),
    )
    assert response.status_code == 302, response.content
    return Order.objects.get(external_id=reference)


def test_a_review_rule_holds_orders_to_its_country_with_the_reason_until_staff_release(client, acme, staff):
    services.create_rule(
        staff,
        name="Spain: customs",
        countries=["ES"],
        action=Action.REVIEW,
        review_reason="Check customs papers",
    )
    held = place(client, acme, "ES-1", country="ES")
    assert (held.workflow_rule_name, held.workflow_why, held.review_reason) == (
        "Spain: customs",
        "ships to ES.",
        "Check customs papers",
    )
    print_files.check_order(held.pk)  # the worker's check of the print files
    held.refresh_from_db()
    assert held.hold == Hold.REVIEW
    with pytest.raises(MoveRefused, match="Held for review"):
        move_items(staff, held, [], ItemStatus.PASSED)

    # Elsewhere: the default rule, not held once the files pass.
    other = place(client, acme, "FR-1", country="FR")
    print_files.check_order(other.pk)
    other.refresh_from_db()
    assert (other.workflow_rule_name, other.hold, other.review_reason) == ("Default", Hold.NONE, "")

    # The client sees that the printer reviews it, not the printer's rule or reason.
    page = client.get(reverse("orders:order", kwargs={"code": held.code})).text
    assert "The printer reviews this order" in page
    assert "Check customs papers" not in page and "Spain: customs" not in page

    client.force_login(staff)
    page = client.get(reverse("orders:connect_order", kwargs={"code": held.code})).text
    assert "Check customs papers" in page and "Spain: customs" in page and "ships to ES." in page
    queue = client.get(reverse("orders:connect_orders"), {"tab": "held"}).text
    assert "Spain: customs" in queue and "ships to ES." in queue
    client.post(reverse("orders:connect_order_release", kwargs={"code": held.code}))
    held.refresh_from_db()
    assert (held.hold, held.review_released_by) == (Hold.NONE, staff)
    assert held.events.filter(kind=OrderEvent.Kind.HOLD, actor=staff, message__contains="Released").exists()
    assert AuditEvent.objects.filter(verb="order.released", target=held.number, actor=staff).count() == 1

    again = client.post(reverse("orders:connect_order_release", kwargs={"code": held.code}), follow=True)
    assert "not held for review" in again.text
    assert AuditEvent.objects.filter(verb="order.released").count() == 1


def test_straight_to_production_starts_the_items_once_their_print_files_pass(client, acme, staff):
    services.create_rule(staff, name="Acme goes straight", client=acme.client, action=Action.PRODUCTION)
    order = place(client, acme, "FAST-1")
    assert order.items.get().status == ItemStatus.RECEIVED  # its file is not checked yet
    print_files.check_order(order.pk)
    order.refresh_from_db()
    assert (order.status, order.hold) == (ItemStatus.IN_PRODUCTION, Hold.NONE)
    moves = order.events.filter(kind=OrderEvent.Kind.STATUS).values_list("to_status", "message", "actor")
    why = "Sent straight to production by the printer's workflow."
    assert list(moves) == [(ItemStatus.PASSED, why, None), (ItemStatus.IN_PRODUCTION, why, None)]
    # The client's order page and its live part show the moves, never the printer's rule.
    for name in ("orders:order", "orders:order_live"):
        page = client.get(reverse(name, kwargs={"code": order.code})).text
        assert "In production" in page and "Acme goes straight" not in page


def test_straight_to_production_starts_an_order_the_shop_reports_paid_later(acme, staff):
    services.create_rule(staff, name="Acme goes straight", client=acme.client, action=Action.PRODUCTION)
    shop = store_of(acme)
    map_variant(shop, "V1")
    mapped = (SourceOrderLine("L1", "Poster", 1, variant_id="V1"),)
    placed = datetime(2026, 12, 1, 9, tzinfo=UTC)
    order = make_order(shop, number="#9", lines=mapped, paid=False, updated_at=placed)
    order.items.update(file_check=FileCheck.OK)  # its print file passed while it waited
    make_order(shop, number="#9", lines=mapped, paid=True, updated_at=placed + timedelta(minutes=5))
    order.refresh_from_db()
    assert (order.status, order.hold) == (ItemStatus.IN_PRODUCTION, Hold.NONE)


def test_a_manual_order_s_catalog_items_count_and_the_decision_is_written_once(client, acme, staff):
    services.create_rule(
        staff, name="Cards", product_type="flyer_card", action=Action.PRIORITY, priority="high"
    )
    items = [{"uid": card_variant().uid, "quantity": "50", "design_upload": upload(SHARP)}]
    order = place(client, acme, "CARDS-1", items=items)
    assert (order.workflow_rule_name, order.priority) == ("Cards", Priority.HIGH)
    assert order.events.filter(kind=OrderEvent.Kind.WORKFLOW).count() == 1


def test_route_priority_and_notify_on_a_shop_s_order(acme, staff, django_capture_on_commit_callbacks):
    shop = store_of(acme, Store.Platform.SHOPIFY)
    map_variant(shop, "V1")
    line = ProductionLine.objects.create(name="Large format")
    services.create_rule(staff, name="Rush", marker="rush", action=Action.PRIORITY, priority="rush")
    services.create_rule(staff, name="Big", min_items=10, action=Action.ROUTE, production_line=line)
    services.create_rule(
        staff, name="Dutch", countries=["NL"], action=Action.NOTIFY, notify_email="ops@printer.example"
    )
    mapped = (SourceOrderLine("L1", "Poster", 1, variant_id="V1"),)

    rush = make_order(shop, number="#1", lines=mapped, tags=("Rush",))
    big = make_order(shop, number="#2", lines=(SourceOrderLine("L1", "Poster", 12, variant_id="V1"),))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        dutch = make_order(shop, number="#3", lines=mapped, shipping=Address(country="NL"), note="Gift")
    plain = make_order(shop, number="#4", lines=mapped)

    assert (rush.priority, rush.markers, rush.workflow_why) == (
        "rush",
        ["rush"],
        "marked “rush” by the shop.",
    )
    assert (big.production_line, big.workflow_why) == (line, "12 items (rule: at least 10).")
    assert (plain.workflow_rule_name, plain.priority, plain.production_line) == ("Default", "normal", None)
    assert dutch.notify_email == "ops@printer.example" and dutch.note == "Gift"
    tasks = [
        cell.cell_contents.name
        for send in queued
        for cell in send.__closure__ or ()
        if hasattr(cell.cell_contents, "delay")
    ]
    assert "orders.tasks.send_workflow_email" in tasks  # queued on commit, as enqueue_on_commit does

    assert rules.notifications_lost(older_than=rules.LOST_AFTER * 0) == [dutch.pk]
    assert rules.send_notification(dutch.pk) is True
    assert rules.send_notification(dutch.pk) is False  # a copy of the task sends nothing more
    [email] = mail.outbox
    assert email.to == ["ops@printer.example"] and "#3" in email.subject and "Dutch" in email.subject
    assert "ships to NL" in email.body
    assert rules.notifications_lost(older_than=rules.LOST_AFTER * 0) == []


def test_try_it_shows_which_rule_would_apply_and_changes_nothing(client, acme, staff):
    shop = store_of(acme, Store.Platform.SHOPIFY)
    older = make_order(shop, number="#1", shipping=Address(country="DE"))
    for number in range(2, 53):
        make_order(shop, number=f"#{number}", shipping=Address(country="FR"))
    services.create_rule(staff, name="Germany", countries=["DE"], action=Action.REVIEW, review_reason="Look")

    Rule.objects.filter(is_default=True).delete()  # Try it must not make it either

    def state():
        return (
            list(Rule.objects.order_by("pk").values()),
            [model_to_dict(order) for order in Order.objects.order_by("pk")],
            list(OrderEvent.objects.order_by("pk").values()),
            AuditEvent.objects.count(),
        )

    before = state()
    client.force_login(staff)
    first = client.get(reverse("orders:workflow_try"))
    assert first.status_code == 200 and "Page 1 of 2" in first.text
    assert len(first.context["page"].object_list) == 50
    last = client.get(reverse("orders:workflow_try"), {"page": 2})
    [(_order, match)] = [row for row in last.context["page"].object_list if row[0].pk == older.pk]
    assert (match.rule.name, match.explanation) == ("Germany", "ships to DE.")
    assert "differs" in last.text  # it arrived under the default rule
    assert "no rule above it matched" in first.text.lower()  # the French ones: the default
    assert state() == before
    assert reverse("orders:workflow_try") in client.get(reverse("workflows:rules")).text


def test_try_it_compares_rules_not_their_names(client, acme, staff):
    rule = services.create_rule(staff, name="Germany", countries=["DE"], action=Action.STANDARD)
    make_order(store_of(acme), number="#1", shipping=Address(country="DE"))
    services.update_rule(staff, rule, name="Germany and Austria", countries=["AT", "DE"])
    client.force_login(staff)
    page = client.get(reverse("orders:workflow_try")).text
    assert "Germany and Austria" in page and "differs" not in page  # the same rule, renamed
    services.create_rule(staff, name="Germany", countries=["DE"], action=Action.STANDARD)
    services.move_rule(staff, Rule.objects.get(name="Germany"), up=True)
    assert "differs" in client.get(reverse("orders:workflow_try")).text  # another rule of its old name


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_notify_email_is_sent_by_a_real_worker_after_commit(acme, staff, celery_worker):
    services.create_rule(
        staff, name="Tell ops", client=acme.client, action=Action.NOTIFY, notify_email="ops@printer.example"
    )
    order = make_order(acme.store, number="#9", shipping=Address(country="BE"))
    assert wait_for(lambda: Order.objects.filter(pk=order.pk, notified_at__isnull=False).exists())
    [email] = [message for message in mail.outbox if message.to == ["ops@printer.example"]]
    assert "#9" in email.subject and "client is Acme" in email.body


def test_the_queue_filters_by_the_priority_and_line_rules_set(client, acme, staff):
    shop = store_of(acme, Store.Platform.SHOPIFY)
    line = ProductionLine.objects.create(name="Wide press")
    services.create_rule(staff, name="Rush", marker="rush", action=Action.PRIORITY, priority="rush")
    services.create_rule(staff, name="Wide", countries=["US"], action=Action.ROUTE, production_line=line)
    make_order(shop, number="#R1", tags=("rush",))
    make_order(shop, number="#W1", shipping=Address(country="US"))
    make_order(shop, number="#P1")
    client.force_login(staff)

    def numbers(**query):
        page = client.get(reverse("orders:connect_orders"), {"tab": "all", **query}).context["page"]
        return sorted(order.number for order in page.object_list)

    assert numbers(priority="rush") == ["#R1"]
    assert numbers(line=line.code) == ["#W1"]
    assert numbers() == ["#P1", "#R1", "#W1"]
    assert numbers(priority="bogus") == ["#P1", "#R1", "#W1"]  # a bad filter value is ignored


@pytest.mark.django_db(transaction=True)
def test_the_notify_email_goes_once_without_locking_the_order_while_it_is_sent(acme, staff, monkeypatch):
    services.create_rule(
        staff, name="Tell ops", client=acme.client, action=Action.NOTIFY, notify_email="ops@printer.example"
    )
    order = make_order(acme.store, number="#9")
    row_free = []

    def order_row_is_free():  # what a webhook's update of the order would find, meanwhile
        try:
            with transaction.atomic():
                Order.objects.select_for_update(nowait=True).get(pk=order.pk)
            row_free.append(True)
        except DatabaseError:
            row_free.append(False)
        finally:
            connections.close_all()

    sending = emails.send

    def send(*args, **kwargs):
        other = threading.Thread(target=order_row_is_free)
        other.start()
        other.join(60)
        sending(*args, **kwargs)

    monkeypatch.setattr(emails, "send", send)
    assert rules.send_notification(order.pk) is True
    assert rules.send_notification(order.pk) is False
    assert row_free == [True]
    assert [message.to for message in mail.outbox] == [["ops@printer.example"]]
    assert Order.objects.filter(pk=order.pk, notified_at__isnull=False).exists()


def test_a_rule_named_over_two_lines_still_gets_its_email_sent(client, acme, staff):
    client.force_login(staff)
    client.post(
        reverse("workflows:rule_add"),
        {
            "name": "Tell\r\nops",
            "active": "on",
            "action": Action.NOTIFY,
            "notify_email": "ops@printer.example",
        },
    )
    order = make_order(acme.store, number="#9")
    assert order.workflow_rule_name == "Tell\r\nops"  # as typed
    assert rules.send_notification(order.pk) is True
    [email] = mail.outbox
    assert email.subject == "Order #9 of Acme arrived (Tell ops)"
