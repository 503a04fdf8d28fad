"""The workflow rules (workflows app) applied to orders: on arrival the first matching rule's
action, in the arrival's transaction; the release of a review hold; "send straight to
production"; the email a rule asks for; and the facts "Try it" matches, changing nothing."""

from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import CatalogVariant
from core import audit, emails
from core.read_later import later
from core.tasks import LOST_AFTER, enqueue_on_commit
from workflows.matching import OrderFacts, first_match, markers_of
from workflows.models import Action, Priority
from workflows.services import default_rule, rules_in_order

from .intake import settle
from .models import Hold, ItemStatus, Order, OrderEvent
from .production import move_items

# The first key of the advisory locks that let one copy of a notify task send at a time.
NOTIFY_LOCK_SPACE = 7002

# What a rule's decision sets on the order, cleared before a decision is taken again.
DECISION = {
    "workflow_rule": None,
    "workflow_rule_name": "",
    "workflow_action": "",
    "workflow_why": "",
    "priority": Priority.NORMAL,
    "production_line": None,
    "review_reason": "",
    "notify_email": "",
}


class ReleaseRefused(ValueError):
    """The order cannot be released; the message says why."""


def product_types(items):
    """catalog variant id -> its product's type, for the linked items (one query)."""
    ids = {item.catalog_variant_id for item in items if item.catalog_variant_id}
    if not ids:
        return {}
    return dict(CatalogVariant.objects.filter(id__in=ids).values_list("id", "product__product_type"))


def facts_of(order, items, types=None):
    """What the rules may ask about the order, from it and its live items. `types`: the
    items' product types by catalog variant id, when the caller has them (product_types)."""
    live = [item for item in items if item.status != ItemStatus.CANCELED]
    types = product_types(live) if types is None else types
    return OrderFacts(
        client_id=order.client_id,
        store_id=order.store_id,
        platform=order.store.platform,
        product_types=frozenset(
            types[item.catalog_variant_id] for item in live if item.catalog_variant_id in types
        ),
        product_uids=frozenset(item.product_uid for item in live if item.product_uid),
        country=(order.shipping_address or {}).get("country", "").upper(),
        item_count=sum(item.quantity for item in live),
        value=order.total,
        has_unmapped=any(not item.mapped for item in live),
        markers=frozenset(order.markers or ()),
    )


def decide_new(new_orders):
    """The rules' decisions on new orders (intake.NewOrder, every arrival path), before they are
    saved: one read of the rules and of the items' product types for all of them. Keeps each
    order's note and markers, takes its decision and adds it to the order's history."""
    rules = rules_in_order()
    types = product_types([item for new in new_orders for item in new.items])
    default = cache(default_rule)  # made, if it must be, once
    for new in new_orders:
        order, source = new.order, new.source
        order.note = source.note
        order.markers = markers_of(source.tags, source.note)
        new.events.append(decide(order, new.items, rules, types, default))


def apply_rules(order, items=None, *, again=False):
    """Decide again which rule applies to the order and do what it says, in the caller's
    transaction. `again`: replace the decision taken on arrival in this same transaction (a
    manual order's catalog items are added after its arrival)."""
    items = list(order.items.all()) if items is None else items
    decided = decide(order, items, rules_in_order(), product_types(items), default_rule)
    order.save(update_fields=[*DECISION, "note", "markers", "updated_at"])
    if again:
        OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.WORKFLOW).delete()
    decided.save()
    settle(order, items=items)
    notify_soon([order])


def decide(order, items, rules, types, default):
    """Set on the order, in memory, what the first of `rules` that matches it decides (the
    default rule, `default()`, when none does). Returns the decision's history entry, unsaved."""
    match = first_match(rules, facts_of(order, items, types))
    rule = match.rule if match.rule.pk else default()
    decision = {
        **DECISION,
        "workflow_rule": rule,
        "workflow_rule_name": rule.name,
        "workflow_action": rule.action,
        "workflow_why": match.explanation,
    }
    if rule.action == Action.REVIEW:
        decision["review_reason"] = rule.review_reason
    elif rule.action == Action.ROUTE:
        decision["production_line"] = rule.production_line
    elif rule.action == Action.PRIORITY:
        decision["priority"] = rule.priority
    elif rule.action == Action.NOTIFY:
        decision["notify_email"] = rule.notify_email
    for name, value in decision.items():
        setattr(order, name, value)
    return OrderEvent(
        order=order,
        kind=OrderEvent.Kind.WORKFLOW,
        message=later(
            gettext_noop("Workflow rule “%(rule)s”: %(action)s. Why: %(why)s"),
            rule=rule.name,
            action=rule.action_words(),
            why=match.explanation,
        ),
    )


def notify_soon(orders):
    """Queue the emails the orders' rules ask for, once the transaction commits."""
    from .tasks import send_workflow_email  # tasks import this module

    for order in orders:
        if order.notify_email:
            enqueue_on_commit(send_workflow_email, order.pk)


def start_if_straight(order):
    """An order its rule sent straight to production: once nothing holds it, its items not
    started move to In production by themselves (through Passed, as a person would move them,
    so the history and whatever follows a move are the same), with no one to start them."""
    if order.workflow_action != Action.PRODUCTION or order.hold != Hold.NONE or order.cancelled_in_shop:
        return
    waiting = list(order.items.filter(status__in=(ItemStatus.RECEIVED, ItemStatus.PASSED)))
    if not waiting:
        return
    # Clients read these moves in their order's history: the printer's rule stays unnamed
    # there (its name is on the order's Workflow card in Connect).
    why = later(gettext_noop("Sent straight to production by the printer's workflow."))
    received = [item.code for item in waiting if item.status == ItemStatus.RECEIVED]
    if received:
        move_items(None, order, received, ItemStatus.PASSED, reason=why)
    move_items(None, order, [item.code for item in waiting], ItemStatus.IN_PRODUCTION, reason=why)


def release_review(actor, order):
    """Staff release an order held for review: it goes on to "Ready for production" once
    nothing else holds it. Raises ReleaseRefused if it is not held for review."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("client").get(pk=order.pk)
        if not order.under_review:
            raise ReleaseRefused(_("This order is not held for review."))
        order.review_released_at, order.review_released_by = timezone.now(), actor
        order.save(update_fields=["review_released_at", "review_released_by", "updated_at"])
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.HOLD,
            actor=actor,
            message=later(gettext_noop("Released from review.")),  # the client sees this, not the reason
        )
        settle(order, actor)
        audit.record(
            actor, "order.released", client=order.client, target=order.number, data={"order": str(order.code)}
        )
    return order


def send_notification(order_id):
    """Send the email the order's rule asked for, once: a copy of the task waits for this
    one's advisory lock, then finds it sent. The order's row is not locked while the mail
    server is slow (an arriving update or a move would wait for it). A failing mail server
    raises, and the sweep (notifications_lost) sends it again later."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [NOTIFY_LOCK_SPACE, order_id % 2**31])
        order = (
            Order.objects.select_related("client", "store")
            .filter(pk=order_id, notified_at__isnull=True)
            .exclude(notify_email="")
            .first()
        )
        if order is None:
            return False
        link = settings.SITE_URL.rstrip("/") + reverse("orders:connect_order", args=[order.code])
        emails.send("workflow-notify", order.notify_email, {"order": order, "link": link})
        Order.objects.filter(pk=order.pk).update(notified_at=timezone.now())
    return True


def notifications_lost(older_than=LOST_AFTER):
    """Orders whose rule's email has not gone long after they arrived (its queueing was lost,
    or the mail server failed)."""
    cutoff = timezone.now() - older_than
    return list(
        Order.objects.filter(notified_at__isnull=True, created_at__lte=cutoff)
        .exclude(notify_email="")
        .values_list("id", flat=True)[:500]
    )
