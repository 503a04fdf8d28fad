"""Workflow rules on orders that arrive as a shop sends them: Shopify's signed webhook over
real HTTP, read by a real worker, the order's tags carried to the rules as markers."""

import pytest

from orders.models import Order, OrderEvent
from workflows import services
from workflows.models import Action

from .arrival import deliver, done
from .test_order_webhooks import ORDER_ID, shopify_body, store  # noqa: F401 (store: a fixture)

pytestmark = pytest.mark.worker


def test_a_rush_tag_and_a_country_pick_their_rules_on_arrival(store, live_server, celery_worker, staff):  # noqa: F811
    services.create_rule(
        staff, name="Shopify rush", platform="shopify", marker="rush", action=Action.PRIORITY, priority="rush"
    )
    services.create_rule(
        staff, name="Dutch review", countries=["NL"], action=Action.REVIEW, review_reason="New market"
    )
    assert deliver(live_server, store, shopify_body(tags="gift, Rush")).status_code == 200
    assert (
        deliver(live_server, store, shopify_body(order_id=ORDER_ID - 1000, name="#1002")).status_code == 200
    )
    assert done(store)

    rush = Order.objects.get(store=store, external_id=str(ORDER_ID))
    assert (rush.workflow_rule_name, rush.priority, rush.markers, rush.review_reason) == (
        "Shopify rush",
        "rush",
        ["gift", "rush"],
        "",
    )
    assert rush.workflow_why == "comes from Shopify; marked “rush” by the shop."
    dutch = Order.objects.get(store=store, external_id=str(ORDER_ID - 1000))
    assert (dutch.workflow_rule_name, dutch.review_reason, dutch.priority) == (
        "Dutch review",
        "New market",
        "normal",
    )
    event = dutch.events.get(kind=OrderEvent.Kind.WORKFLOW)
    assert event.message == "Workflow rule “Dutch review”: Hold for review: New market. Why: ships to NL."
