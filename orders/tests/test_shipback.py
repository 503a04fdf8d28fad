"""Tracking back to the shop, against the real sandbox: for each platform an order placed in a
demo shop and moved to Shipped in Printfront ends with the shop holding the tracking, once, even
when sending runs twice or its answer was lost; a busy shop is retried with backoff; a refusal
gives up loudly; the sweeper sends what was never queued."""

import re
from datetime import timedelta

import pytest
import requests
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogVariant
from catalog.seed import seed_catalog
from config.celery import app as celery_app
from core.tenancy import Role
from core.testing import wait_for
from integrations.shopify.adapter import ShopifyAdapter
from integrations.tests.helpers import READ_WRITE, place_order, sandbox_form, sandbox_switch
from integrations.tests.test_etsy import connect as connect_etsy
from integrations.tests.test_pressero import credentials as pressero_credentials
from integrations.tests.test_shopify_adapter import SHOP as SHOPIFY_SHOP
from integrations.tests.test_shopify_adapter import connected_adapter
from integrations.types import SourceOrder, SourceOrderLine
from orders import outbox
from orders.intake import settle, upsert_order
from orders.models import ItemStatus, Order, OrderEvent, OutboxMessage
from orders.production import move_items
from orders.tasks import send_due_outbox
from storefronts.models import Store

SANDBOX_SHOPS = {
    "shopify": "shopify/demo-apparel",
    "woocommerce": "woocommerce/demo-posters",
    "etsy": "etsy/demo-mugs",
    "pressero": "pressero/demo-b2b",
}
State = OutboxMessage.State


@pytest.fixture
def admin(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


@pytest.fixture
def connected(request, acme, admin, sandbox_url, settings):
    """connected(platform): Acme's store connected to that platform's demo shop. The shop's
    failure switches are reset afterwards."""
    settings.SANDBOX_ENABLED = True
    used = []

    def connect(platform):
        used.append(platform)
        if platform == "shopify":
            request.getfixturevalue("shopify")
            adapter = connected_adapter(sandbox_url)
            return Store.objects.create(
                client=acme.client,
                platform=platform,
                name="Apparel",
                shop_identity=SHOPIFY_SHOP,
                credentials=adapter.credentials,
            )
        if platform == "woocommerce":
            url = f"{sandbox_url}/woocommerce/demo-posters"
            key, secret = READ_WRITE
            return Store.objects.create(
                client=acme.client,
                platform=platform,
                name="Posters",
                shop_identity=url,
                base_url=url,
                credentials={"consumer_key": key, "consumer_secret": secret},
            )
        if platform == "etsy":
            request.getfixturevalue("etsy")
            connect_etsy(admin)
        else:
            admin.post(
                reverse("integrations:connect_pressero"),
                pressero_credentials(f"{sandbox_url}/pressero/demo-b2b"),
            )
        return Store.objects.get(platform=platform)

    yield connect
    for platform in used:
        sandbox_switch(sandbox_url, shop=SANDBOX_SHOPS[platform])


def shop_page(sandbox_url, store):
    return requests.get(f"{sandbox_url}/shops/{SANDBOX_SHOPS[store.platform]}/", timeout=10).text


def placed_in_shop(sandbox_url, store):
    """Place an order on the demo shop's page, as a buyer; its id and line ids at the platform."""
    place_order(sandbox_url, SANDBOX_SHOPS[store.platform])
    newest = re.search(r'data-order-id="(\d+)" data-line-ids="([\d,]+)"', shop_page(sandbox_url, store))
    return newest.group(1), newest.group(2).split(",")


def tracking_in_shop(sandbox_url, store, external_id, tracking_code):
    """How many of the order's shipping entries on the demo shop's page name this tracking code."""
    chunks = shop_page(sandbox_url, store).split('<li data-order-id="')
    chunk = next(chunk for chunk in chunks if chunk.startswith(f'{external_id}"'))
    return sum(
        tracking_code in entry for entry in re.findall(r'<li class="tracking">(.*?)</li>', chunk, re.S)
    )


def packaged_order(store, external_id, line_ids):
    """The shop's order in Printfront, through the one upsert, with its items linked and packaged
    (mapping and the production steps before shipping are not what these tests are about)."""
    source = SourceOrder(
        external_id=external_id,
        number=external_id,
        lines=tuple(SourceOrderLine(external_id=line, title="Poster", quantity=1) for line in line_ids),
    )
    with transaction.atomic():
        order = upsert_order(store, source, via=Order.Source.WEBHOOK).order
    if not CatalogVariant.objects.exists():
        seed_catalog()
    order.items.update(
        status=ItemStatus.PACKAGED, catalog_variant=CatalogVariant.objects.order_by("id").first()
    )
    settle(order)
    assert order.hold == ""
    return order


def ship(staff, order, tracking_code, items=()):
    move_items(
        staff,
        order,
        [item.code for item in items],
        ItemStatus.SHIPPED,
        carrier="DHL",
        tracking_code=tracking_code,
        tracking_url=f"https://track.example/{tracking_code}",
    )
    return OutboxMessage.objects.filter(order=order).latest("id")


def shop_events(order):
    return list(
        OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.SHOP).values_list("message", flat=True)
    )


@pytest.mark.parametrize("platform", ["shopify", "woocommerce", "etsy", "pressero"])
def test_shipping_sends_the_tracking_to_the_shop_once(platform, connected, sandbox_url, staff, celery_worker):
    store = connected(platform)
    external_id, line_ids = placed_in_shop(sandbox_url, store)
    order = packaged_order(store, external_id, line_ids)
    code = f"TRK{platform.upper()}{external_id}"

    message = ship(staff, order, code)

    wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).state == State.SENT)
    message.refresh_from_db()
    assert message.sent_at and message.attempts == 1 and message.last_error == ""
    assert tracking_in_shop(sandbox_url, store, external_id, code) == 1
    assert shop_events(order) == [f"Tracking sent to {store.get_platform_display()}."]
    # The task delivered again (acks_late), and a send whose answer was lost: nothing doubles.
    outbox.send(message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(state=State.PENDING, next_attempt_at=timezone.now())
    assert outbox.send(message.pk).state == State.SENT
    assert tracking_in_shop(sandbox_url, store, external_id, code) == 1


def test_shopify_fulfils_only_the_lines_shipped(connected, sandbox_url, staff, db):
    store = connected("shopify")
    choices = re.search(r'<select name="variant".*?</select>', shop_page(sandbox_url, store), re.S).group(0)
    first, second = re.findall(r'<option value="(\d+)"', choices)[:2]
    sandbox_form(
        sandbox_url,
        SANDBOX_SHOPS["shopify"],
        action="order",
        variant=first,
        also=second,
        quantity=1,
        name="Sam Buyer",
        email="sam@example.com",
    )
    external_id, *line_ids = re.search(
        r'data-order-id="(\d+)" data-line-ids="(\d+),(\d+)"', shop_page(sandbox_url, store)
    ).groups()
    order = packaged_order(store, external_id, line_ids)
    one, other = order.items.order_by("id")
    assert outbox.send(ship(staff, order, "PART1", items=[one]).pk).state == State.SENT
    assert fulfillment_orders(store, external_id) == [("IN_PROGRESS", [0, 1])]
    assert outbox.send(ship(staff, order, "PART2", items=[other]).pk).state == State.SENT
    assert fulfillment_orders(store, external_id) == [("CLOSED", [0, 0])]
    assert tracking_in_shop(sandbox_url, store, external_id, "PART1") == 1
    assert tracking_in_shop(sandbox_url, store, external_id, "PART2") == 1


def fulfillment_orders(store, external_id):
    """(status, remaining quantities) of each of the Shopify order's fulfillment orders."""
    answer = ShopifyAdapter.from_store(store).graphql(
        "query($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5) { nodes { status "
        "lineItems(first: 10) { nodes { remainingQuantity } } } } } }",
        {"id": f"gid://shopify/Order/{external_id}"},
    )
    return [
        (node["status"], [line["remainingQuantity"] for line in node["lineItems"]["nodes"]])
        for node in answer["order"]["fulfillmentOrders"]["nodes"]
    ]


def test_shopify_refuses_lines_its_order_does_not_have(connected, sandbox_url, staff, db):
    store = connected("shopify")
    external_id, line_ids = placed_in_shop(sandbox_url, store)
    order = packaged_order(store, external_id, [*line_ids, "777"])
    stranger = order.items.get(external_id="777")
    message = outbox.send(ship(staff, order, "PART1", items=[stranger]).pk)
    assert message.state == State.GAVE_UP
    assert message.last_error == "Shopify's order has no line 777."
    assert tracking_in_shop(sandbox_url, store, external_id, "PART1") == 0


def test_a_fulfilled_order_counts_as_sent_without_a_second_fulfillment(connected, sandbox_url, staff, db):
    store = connected("shopify")
    external_id, line_ids = placed_in_shop(sandbox_url, store)
    order = packaged_order(store, external_id, line_ids)
    assert outbox.send(ship(staff, order, "FIRSTCODE").pk).state == State.SENT
    # A second message for the same lines (another tracking code): the fulfillment order is
    # closed, so there is nothing left to fulfil and nothing is added.
    later = OutboxMessage.objects.create(
        order=order,
        kind=OutboxMessage.Kind.TRACKING,
        payload={
            "order_external_id": external_id,
            "carrier": "DHL",
            "tracking_code": "OTHER",
            "line_ids": line_ids,
        },
        next_attempt_at=timezone.now(),
    )
    assert outbox.send(later.pk).state == State.SENT
    assert tracking_in_shop(sandbox_url, store, external_id, "OTHER") == 0
    assert tracking_in_shop(sandbox_url, store, external_id, "FIRSTCODE") == 1


def test_a_busy_shop_is_retried_with_backoff(connected, sandbox_url, staff, celery_worker):
    store = connected("shopify")
    external_id, line_ids = placed_in_shop(sandbox_url, store)
    order = packaged_order(store, external_id, line_ids)
    # More 429s than one attempt's own quick retries absorb; Retry-After: 1.
    sandbox_switch(sandbox_url, shop="shopify/demo-apparel", fault="429", fault_limit=4, retry_after=1)
    before = timezone.now()

    message = ship(staff, order, "BUSY1")

    wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).state == State.SENT, timeout=60)
    message.refresh_from_db()
    assert message.attempts == 2
    events = shop_events(order)
    assert events[0] == (
        "Tracking not sent to Shopify yet: Shopify is busy and asked Printfront to slow down. "
        "Trying again in 1 second."
    )
    assert events[1] == "Tracking sent to Shopify."
    assert message.sent_at > before + timedelta(seconds=1)
    assert tracking_in_shop(sandbox_url, store, external_id, "BUSY1") == 1


def test_backoff_grows_with_full_jitter_and_retry_after_wins():
    assert outbox.retry_delay(3, "7") == timedelta(seconds=7)  # a header
    assert outbox.retry_delay(3, 1.5) == timedelta(seconds=1.5)  # Shopify's throttle wait
    delays = [outbox.retry_delay(attempt) for attempt in (1, 4, 12) for _ in range(50)]
    assert all(timedelta(0) <= delay for delay in delays)
    assert max(delays[:50]) <= outbox.BACKOFF_BASE < max(delays[50:100]) <= outbox.BACKOFF_BASE * 8
    assert max(delays[100:]) <= outbox.BACKOFF_CAP and len(set(delays)) > 100


def test_a_server_error_is_retried_then_given_up_loudly_after_the_last_attempt(
    connected, sandbox_url, staff, db, caplog
):
    store = connected("woocommerce")
    external_id, line_ids = placed_in_shop(sandbox_url, store)
    order = packaged_order(store, external_id, line_ids)
    message = ship(staff, order, "DOWN1")
    sandbox_switch(sandbox_url, fault="5xx")
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        message = outbox.send(message.pk)
        assert (message.state, message.attempts) == (State.PENDING, attempt)
        assert message.next_attempt_at > timezone.now() - timedelta(seconds=1)
        assert outbox.send(message.pk) is None  # not due yet: nothing is sent early
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    message = outbox.send(message.pk)
    assert message.state == State.GAVE_UP
    assert "having trouble" in message.last_error
    assert f"gave up after {outbox.MAX_ATTEMPTS} attempt(s)" in shop_events(order)[-1]
    assert "Gave up sending outbox message" in caplog.text


def test_a_permanent_refusal_gives_up_at_once_with_the_reason(connected, sandbox_url, staff, db):
    store = connected("etsy")
    order = packaged_order(store, "3999999999", ["1"])  # a receipt the shop does not have
    message = outbox.send(ship(staff, order, "NOPE1").pk)
    assert (message.state, message.attempts) == (State.GAVE_UP, 1)
    assert "Receipt not found" in message.last_error
    assert "Could not send the tracking to Etsy, gave up after 1 attempt(s)" in shop_events(order)[-1]


def test_a_disconnected_store_gives_up_with_a_clear_reason(connected, sandbox_url, staff, db):
    store = connected("pressero")
    external_id, line_ids = placed_in_shop(sandbox_url, store)
    order = packaged_order(store, external_id, line_ids)
    message = ship(staff, order, "GONE1")
    Store.objects.filter(pk=store.pk).update(state=Store.State.DISCONNECTED)
    message = outbox.send(message.pk)
    assert message.state == State.GAVE_UP
    assert "disconnected" in message.last_error
    assert tracking_in_shop(sandbox_url, store, external_id, "GONE1") == 0


def test_a_claimed_message_is_not_sent_by_another_worker_until_its_claim_runs_out(
    connected, sandbox_url, staff, db
):
    store = connected("woocommerce")
    external_id, line_ids = placed_in_shop(sandbox_url, store)
    message = ship(staff, packaged_order(store, external_id, line_ids), "CLAIM1")
    held = outbox.claim(message.pk)  # a worker that then died mid-send
    assert held and outbox.claim(message.pk) is None and outbox.send(message.pk) is None
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    sent = outbox.send(message.pk)
    assert (sent.state, sent.attempts) == (State.SENT, 2)
    # The dead worker's outcome, were it to come back, no longer counts.
    assert outbox.record(held, State.GAVE_UP, "late") is None
    assert OutboxMessage.objects.get(pk=message.pk).state == State.SENT


def test_a_message_whose_every_attempt_crashed_is_given_up(connected, sandbox_url, staff, db):
    store = connected("woocommerce")
    external_id, line_ids = placed_in_shop(sandbox_url, store)
    message = ship(staff, packaged_order(store, external_id, line_ids), "CRASH1")
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=outbox.MAX_ATTEMPTS)
    message = outbox.send(message.pk)
    assert (message.state, message.attempts) == (State.GAVE_UP, outbox.MAX_ATTEMPTS + 1)
    assert message.last_error == "The last attempts to send it did not finish."
    assert tracking_in_shop(sandbox_url, store, external_id, "CRASH1") == 0


def test_the_sweeper_sends_a_message_whose_queueing_was_lost(
    connected, sandbox_url, staff, transactional_db, request
):
    store = connected("woocommerce")
    external_id, line_ids = placed_in_shop(sandbox_url, store)
    order = packaged_order(store, external_id, line_ids)
    message = ship(staff, order, "LOST1")  # queued on commit, with no worker yet...
    celery_app.control.purge()  # ...and lost
    request.getfixturevalue("celery_worker")
    assert OutboxMessage.objects.get(pk=message.pk).state == State.PENDING

    send_due_outbox.delay()

    wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).state == State.SENT)
    assert tracking_in_shop(sandbox_url, store, external_id, "LOST1") == 1


def test_send_again_after_giving_up(connected, sandbox_url, staff, celery_worker):
    store = connected("woocommerce")
    external_id, line_ids = placed_in_shop(sandbox_url, store)
    order = packaged_order(store, external_id, line_ids)
    sandbox_switch(sandbox_url, fault="revoked")
    message = ship(staff, order, "AGAIN1")
    wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).state == State.GAVE_UP)
    sandbox_switch(sandbox_url)

    outbox.retry_now(staff, OutboxMessage.objects.get(pk=message.pk))

    wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).state == State.SENT)
    assert tracking_in_shop(sandbox_url, store, external_id, "AGAIN1") == 1
    assert "Sending the tracking to WooCommerce again." in shop_events(order)


def given_up(world):
    order = Order.objects.create(
        client=world.client,
        store=world.store,
        external_id="1001",
        number="#1001",
        source=Order.Source.WEBHOOK,
        placed_at=timezone.now(),
    )
    return OutboxMessage.objects.create(
        order=order,
        kind=OutboxMessage.Kind.TRACKING,
        payload={"order_external_id": "1001", "carrier": "DHL", "tracking_code": "T<b>1"},
        state=State.GAVE_UP,
        attempts=8,
        last_error="Shopify refused the fulfillment: <script>x</script>",
    )


def test_the_order_shows_what_was_sent_to_the_shop(acme, rf):
    from django.template.loader import render_to_string

    message = given_up(acme)
    sent = OutboxMessage.objects.create(
        order=message.order,
        kind=OutboxMessage.Kind.TRACKING,
        payload={"carrier": "UPS", "tracking_code": "1Z999"},
        state=State.SENT,
        attempts=1,
        sent_at=timezone.now(),
    )
    html = render_to_string(
        "orders/includes/shop_updates.html", {"messages": [message, sent], "can_retry": True}, rf.get("/")
    )
    assert "Failed: gave up" in html and "Shopify refused the fulfillment: &lt;script&gt;" in html
    assert "T&lt;b&gt;1" in html and "Tracking: UPS 1Z999" in html
    assert html.count("Send again") == 1 and reverse("orders:outbox_retry", args=[message.code]) in html
    plain = render_to_string("orders/includes/shop_updates.html", {"messages": [message]}, rf.get("/"))
    assert "Send again" not in plain


def test_staff_send_a_given_up_message_again(client, acme, staff):
    message = given_up(acme)
    client.force_login(staff)
    url = reverse("orders:outbox_retry", args=[message.code])
    with_next = client.post(url, {"next": "/connect/clients/"})
    assert with_next.status_code == 302 and with_next.url == "/connect/clients/"
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.PENDING, 0)
    assert OrderEvent.objects.filter(order=message.order, kind=OrderEvent.Kind.SHOP, actor=staff).exists()
    # A second click changes nothing; an outside `next` is not followed.
    again = client.post(url, {"next": "https://evil.example/"})
    assert again.url == reverse("connect:clients")
    assert OrderEvent.objects.filter(order=message.order, kind=OrderEvent.Kind.SHOP).count() == 1
    card = client.post(url, HTTP_HX_REQUEST="true")  # from the card itself: the card comes back
    assert card.status_code == 200 and "Waiting to be sent" in card.content.decode()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ORDER_MANAGER, Role.VIEWER])
def test_client_people_cannot_send_again(client, acme, role):
    message = given_up(acme)
    client.force_login(acme.user(role))
    assert client.post(reverse("orders:outbox_retry", args=[message.code])).status_code == 403
    message.refresh_from_db()
    assert message.state == State.GAVE_UP
