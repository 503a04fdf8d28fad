"""Connect > Workflows: staff add, edit, order and delete rules (each recorded in the audit
log), the default rule stays last and undeletable, bad input is refused changing nothing, and
production lines are added and switched off."""

import threading
import time

import pytest
from django.db import connections, transaction
from django.urls import reverse

from core.models import AuditEvent
from core.testing import waiting_on_a_lock
from workflows import services
from workflows.models import Action, ProductionLine, Rule
from workflows.services import default_rule, rules_in_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_staff(client, staff):
    client.force_login(staff)
    return client


def rule_data(**fields):
    return {
        "name": "Hold Germany",
        "active": "on",
        "action": Action.REVIEW,
        "review_reason": "Customs",
        **fields,
    }


def names():
    return [rule.name for rule in rules_in_order()]


def test_staff_add_rules_which_go_before_the_default(as_staff, acme):
    page = as_staff.get(reverse("workflows:rules"))
    assert page.status_code == 200 and "Default" in page.text and "No rules yet" in page.text
    response = as_staff.post(
        reverse("workflows:rule_add"),
        rule_data(client=acme.client.code, countries="de, at", min_items="2", max_items="10"),
    )
    assert response.status_code == 302
    as_staff.post(
        reverse("workflows:rule_add"), rule_data(name="Rush", action=Action.PRIORITY, priority="rush")
    )
    assert names() == ["Hold Germany", "Rush", "Default"]
    rule = Rule.objects.get(name="Hold Germany")
    assert (rule.client, rule.countries, rule.min_items, rule.review_reason) == (
        acme.client,
        ["AT", "DE"],
        2,
        "Customs",
    )
    page = as_staff.get(reverse("workflows:rules")).text
    assert "Ships to AT, DE" in page and "Hold for review: Customs" in page and "Client: Acme" in page
    assert AuditEvent.objects.filter(verb="workflow.rule_created").count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action": Action.REVIEW, "review_reason": ""}, "Say why orders are held"),
        ({"action": Action.ROUTE}, "Choose the production line"),
        ({"action": Action.PRIORITY}, "Choose the priority"),
        ({"action": Action.NOTIFY, "notify_email": "not an address"}, "valid email"),
        ({"countries": "DE, Germany"}, "GERMANY is not one"),
        ({"countries": "DE, XX, UK"}, "XX, UK is not one"),  # two letters, but no country's code
        ({"min_items": "5", "max_items": "2"}, "upper bound is below"),
        ({"min_value": "100", "max_value": "10"}, "upper bound is below"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_bad_input_is_said_and_nothing_is_saved(as_staff, fields, message):
    response = as_staff.post(reverse("workflows:rule_add"), rule_data(**fields))
    assert response.status_code == 200 and message in response.text
    assert not Rule.objects.filter(is_default=False).exists()
    assert not AuditEvent.objects.exists()


def test_an_unknown_line_or_priority_is_said_once(as_staff):
    for fields in (
        {"action": Action.ROUTE, "production_line": "7b4a3e8e-31a6-4c43-9b51-6bd0f5a4c0de"},
        {"action": Action.PRIORITY, "priority": "urgent"},
    ):
        form = as_staff.post(reverse("workflows:rule_add"), rule_data(**fields)).context["form"]
        [(_name, [error])] = [(name, errors) for name, errors in form.errors.items()]
        assert "valid choice" in error
    assert not Rule.objects.filter(is_default=False).exists()


def test_a_store_of_another_client_is_refused(as_staff, acme, globex):
    response = as_staff.post(
        reverse("workflows:rule_add"), rule_data(client=acme.client.code, store=globex.store.code)
    )
    assert "belongs to another client" in response.text and not Rule.objects.filter(is_default=False).exists()


def test_edit_keeps_only_the_chosen_action_s_parameter(as_staff):
    as_staff.post(reverse("workflows:rule_add"), rule_data())
    rule = Rule.objects.get(name="Hold Germany")
    response = as_staff.post(
        reverse("workflows:rule_edit", args=[rule.code]),
        rule_data(
            name="Notify", action=Action.NOTIFY, notify_email="ops@printer.example", review_reason="Old"
        ),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.action, rule.notify_email, rule.review_reason) == (
        "Notify",
        Action.NOTIFY,
        "ops@printer.example",
        "",
    )
    assert AuditEvent.objects.filter(verb="workflow.rule_updated", target="Notify").exists()


def test_rules_move_up_and_down_and_the_default_stays_last(as_staff):
    for name in ("A", "B", "C"):
        as_staff.post(reverse("workflows:rule_add"), rule_data(name=name))
    c = Rule.objects.get(name="C")
    as_staff.post(reverse("workflows:rule_move", args=[c.code]), {"direction": "up"})
    assert names() == ["A", "C", "B", "Default"]
    as_staff.post(reverse("workflows:rule_move", args=[c.code]), {"direction": "up"})
    as_staff.post(reverse("workflows:rule_move", args=[c.code]), {"direction": "up"})  # first already
    assert names() == ["C", "A", "B", "Default"]
    b = Rule.objects.get(name="B")
    as_staff.post(reverse("workflows:rule_move", args=[b.code]), {"direction": "down"})  # last already
    assert names() == ["C", "A", "B", "Default"]
    default = default_rule()
    assert (
        as_staff.post(reverse("workflows:rule_move", args=[default.code]), {"direction": "up"}).status_code
        == 404
    )
    assert AuditEvent.objects.filter(verb="workflow.rule_moved").count() == 2


def test_an_edit_saved_after_a_move_keeps_the_move(staff):
    for name in ("A", "B"):
        services.create_rule(staff, name=name, action=Action.STANDARD)
    edited = Rule.objects.get(name="B")  # read by the edit before another person's move
    services.move_rule(staff, Rule.objects.get(name="B"), up=True)
    services.update_rule(staff, edited, name="B, renamed")
    assert names() == ["B, renamed", "A", "Default"]
    assert sorted(Rule.objects.filter(is_default=False).values_list("position", flat=True)) == [1, 2]


def test_the_default_rule_changes_its_action_only_and_is_never_deleted(as_staff):
    default = default_rule()
    page = as_staff.get(reverse("workflows:rule_edit", args=[default.code]))
    assert "Destination countries" not in page.text  # no conditions to set
    as_staff.post(
        reverse("workflows:rule_edit", args=[default.code]),
        {"action": Action.PRIORITY, "priority": "high", "name": "Renamed", "countries": "DE"},
    )
    default.refresh_from_db()
    assert (default.name, default.action, default.priority, default.countries) == (
        "Default",
        "priority",
        "high",
        [],
    )
    response = as_staff.post(reverse("workflows:rule_delete", args=[default.code]), follow=True)
    assert "cannot be deleted" in response.text and Rule.objects.filter(is_default=True).exists()


def test_a_deleted_rule_is_gone_and_recorded(as_staff):
    as_staff.post(reverse("workflows:rule_add"), rule_data())
    rule = Rule.objects.get(name="Hold Germany")
    as_staff.post(reverse("workflows:rule_delete", args=[rule.code]))
    assert names() == ["Default"]
    assert AuditEvent.objects.filter(verb="workflow.rule_deleted", target="Hold Germany").exists()


def test_production_lines_are_added_once_and_switched_off_only_when_no_rule_routes_to_them(as_staff):
    as_staff.post(reverse("workflows:line_add"), {"name": "Large format"})
    again = as_staff.post(reverse("workflows:line_add"), {"name": "Large format"})
    assert "exists already" in again.text and ProductionLine.objects.count() == 1
    line = ProductionLine.objects.get()
    as_staff.post(reverse("workflows:rule_add"), rule_data(action=Action.ROUTE, production_line=line.code))
    refused = as_staff.post(reverse("workflows:line_active", args=[line.code]), follow=True)
    assert "change them before switching it off" in refused.text
    line.refresh_from_db()
    assert line.active
    Rule.objects.filter(is_default=False).delete()
    as_staff.post(reverse("workflows:line_active", args=[line.code]))
    line.refresh_from_db()
    assert not line.active
    assert set(AuditEvent.objects.values_list("verb", flat=True)) >= {
        "workflow.line_added",
        "workflow.line_disabled",
    }
    # A line switched off is no longer offered to new rules.
    assert "Large format" not in as_staff.get(reverse("workflows:rule_add")).text


def test_the_default_rule_is_made_once_when_first_needed():
    assert rules_in_order()[-1].pk is None and not Rule.objects.exists()  # reading makes nothing
    made = default_rule()
    assert default_rule() == made and Rule.objects.filter(is_default=True).count() == 1


def test_the_edit_form_shows_the_rule_s_choices(as_staff, acme):
    line = ProductionLine.objects.create(name="Wide press")
    as_staff.post(
        reverse("workflows:rule_add"),
        rule_data(
            client=acme.client.code, store=acme.store.code, action=Action.ROUTE, production_line=line.code
        ),
    )
    page = as_staff.get(
        reverse("workflows:rule_edit", args=[Rule.objects.get(name="Hold Germany").code])
    ).text
    for chosen in (acme.client.code, acme.store.code, line.code):
        assert f'value="{chosen}" selected' in page


PATIENCE = 60  # never a measure of speed


@pytest.mark.django_db(transaction=True)
def test_rules_added_at_the_same_time_get_their_own_positions(staff):
    """A second addition waits for the first one's transaction, then numbers after it."""
    default_rule()
    added, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                services.create_rule(staff, name="First", action=Action.STANDARD)
                added.set()
                release.wait(PATIENCE)
        finally:
            connections.close_all()

    def second():
        try:
            services.create_rule(staff, name="Second", action=Action.STANDARD)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert added.wait(PATIENCE)
    threads[1].start()
    give_up = time.monotonic() + 5  # a fixed build numbers at once: nothing to wait for
    while threads[1].is_alive() and not waiting_on_a_lock() and time.monotonic() < give_up:
        time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(PATIENCE)
    assert names() == ["First", "Second", "Default"]
    assert list(Rule.objects.filter(is_default=False).values_list("position", flat=True)) == [1, 2]


def test_every_change_needs_the_csrf_token(staff, acme):
    """A page elsewhere cannot make a logged-in staff member's browser change the rules."""
    from django.test import Client

    from orders.tests.helpers import make_order

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    rule = services.create_rule(staff, name="Hold", action=Action.REVIEW, review_reason="Look")
    line = ProductionLine.objects.create(name="Wide press")
    order = make_order(acme.store, number="#5")
    posts = {
        reverse("workflows:rule_add"): rule_data(name="Forged"),
        reverse("workflows:rule_edit", args=[rule.code]): rule_data(name="Forged"),
        reverse("workflows:rule_delete", args=[rule.code]): {},
        reverse("workflows:rule_move", args=[rule.code]): {"direction": "down"},
        reverse("workflows:line_add"): {"name": "Forged"},
        reverse("workflows:line_active", args=[line.code]): {},
        reverse("orders:connect_order_release", args=[order.code]): {},
    }
    assert [browser.post(url, data).status_code for url, data in posts.items()] == [403] * len(posts)
    assert names() == ["Hold", "Default"] and ProductionLine.objects.get().active


@pytest.mark.django_db(transaction=True)
def test_orders_arriving_do_not_wait_for_a_change_of_the_rules_order(acme, staff):
    """An arrival links its orders to their rules (checked at its commit: a key share lock);
    a staff member moving rules at that moment does not hold it up."""
    from orders.tests.helpers import make_order

    for name in ("First", "Second"):
        services.create_rule(staff, name=name, action=Action.STANDARD)
    moved, release = threading.Event(), threading.Event()

    def staff_move():
        try:
            with transaction.atomic():
                services.move_rule(staff, Rule.objects.get(name="Second"), up=True)
                moved.set()
                release.wait(PATIENCE)
        finally:
            connections.close_all()

    def arrival():
        try:
            make_order(acme.store, number="#1")  # decided by "First"
        finally:
            connections.close_all()

    change = threading.Thread(target=staff_move)
    change.start()
    assert moved.wait(PATIENCE)
    drain = threading.Thread(target=arrival)
    drain.start()
    while drain.is_alive() and not waiting_on_a_lock():
        time.sleep(0.05)
    waited = drain.is_alive()
    release.set()
    change.join(PATIENCE)
    drain.join(PATIENCE)
    assert not waited
    assert names() == ["Second", "First", "Default"]
