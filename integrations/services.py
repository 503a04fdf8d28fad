"""Integrations' writes: the webhook inbox, and keeping a store's webhooks registered."""

import hashlib
import json
import logging
import secrets
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.fields import is_unreadable
from core.inserts import insert_unless_taken
from core.tasks import LOST_AFTER, enqueue_on_commit
from storefronts import services as store_services
from storefronts.models import Store

from .base import AdapterError
from .models import DroppedDeliveries, WebhookDelivery
from .registry import PLATFORMS, adapter_for

logger = logging.getLogger(__name__)

KEPT_HEADERS = ("content-type", "user-agent", "messagehash")
# Headers are never signed, whoever sends them: what is kept of them is bounded in number and
# length. A platform sends about a dozen, each well under these lengths.
KEPT_HEADERS_MAX = 24
HEADER_NAME_LIMIT = 64
HEADER_VALUE_LIMIT = 256


def kept_headers(request):
    """The headers worth keeping with a delivery: the platform's own (X-...) and the basics,
    bounded, without the NUL characters a database text column cannot hold."""
    kept = {}
    for name, value in request.headers.items():
        if len(kept) == KEPT_HEADERS_MAX:
            break
        if name.lower().startswith("x-") or name.lower() in KEPT_HEADERS:
            kept[storable(name, HEADER_NAME_LIMIT)] = storable(value, HEADER_VALUE_LIMIT)
    return kept


KEY_LIMIT = WebhookDelivery._meta.get_field("delivery_key").max_length
TOPIC_LIMIT = WebhookDelivery._meta.get_field("topic").max_length


def storable(text, limit):
    """`text` as a database text column can hold it: valid UTF-8 (JSON may carry lone
    surrogates), no NUL characters, at most `limit` characters."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")[:limit]


def storable_key(key):
    """A delivery key that fits its column as it is, or else its digest, which identifies it
    as well (the key is the sender's, of any length and content)."""
    if storable(key, KEY_LIMIT) == key:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def body_digest(topic, body):
    """What makes two signed deliveries the same: the topic and the exact body. Not the body
    alone, because Shopify sends one order under orders/create and orders/paid with the same body."""
    topic = topic.encode("utf-8", "surrogatepass")
    return hashlib.sha256(b"%d:%s%s" % (len(topic), topic, body)).hexdigest()


# What is kept of a body nobody vouched for (a refused signature, an unsigned ping): enough to
# see what it was, too little to fill the database for whoever knows a store's address.
UNTRUSTED_BODY_LIMIT = 2048
SIZE_LIMIT = 2**63 - 1  # the column's; a declared Content-Length can be any number
# How many unsigned deliveries a store keeps (the newest); the rest are only counted.
UNSIGNED_KEPT = 50


def record_delivery(store, *, topic, headers, body, signature_valid, state, delivery_key="", size=None):
    """Store a delivery before anything else happens to it. A second delivery of the same thing
    (same key, or same topic and signed body) is not stored again: the first one is returned,
    with created=False. Whatever the sender put in the fields, a signed delivery is stored."""
    fields = {
        "store": store,
        "platform": store.platform,
        "topic": storable(topic, TOPIC_LIMIT),
        "headers": headers,
        "size": min(len(body) if size is None else size, SIZE_LIMIT),
        "signature_valid": signature_valid,
        "state": state,
    }
    if not signature_valid:
        delivery = WebhookDelivery.objects.create(body=body[:UNTRUSTED_BODY_LIMIT], **fields)
        drop_old_unsigned(store)
        return delivery, True
    keys = {"delivery_key": storable_key(delivery_key), "body_digest": body_digest(topic, body)}
    delivery = WebhookDelivery(body=body, **keys, **fields)
    if insert_unless_taken(delivery):  # one statement: every signed delivery takes this way
        return delivery, True
    # One of the keys is taken; unique constraints, so concurrent copies make one row.
    same = Q(body_digest=keys["body_digest"])
    if keys["delivery_key"]:
        same |= Q(delivery_key=keys["delivery_key"])
    return WebhookDelivery.objects.filter(same, store=store).earliest("created_at", "id"), False


def dropped_deliveries(store):
    """How many of the store's unsigned deliveries were let go."""
    return DroppedDeliveries.objects.filter(store=store).values_list("count", flat=True).first() or 0


def drop_old_unsigned(store):
    """Delete the store's unsigned deliveries beyond the newest UNSIGNED_KEPT, and count them."""
    old = WebhookDelivery.objects.filter(store=store, signature_valid=False).order_by("-created_at", "-id")
    dropped, _ = WebhookDelivery.objects.filter(
        id__in=list(old.values_list("id", flat=True)[UNSIGNED_KEPT:])
    ).delete()
    if dropped:
        tally, _ = DroppedDeliveries.objects.get_or_create(store=store)
        DroppedDeliveries.objects.filter(pk=tally.pk).update(count=F("count") + dropped)


def ensure_webhook_secret(store):
    """The store's own secret for signing deliveries to us, made once. Alphanumeric, because
    WooCommerce mangles HTML entities in secrets."""
    if not store.webhook_secret:
        store.webhook_secret = secrets.token_hex(24)
        store.save(update_fields=["webhook_secret", "updated_at"])
    return store.webhook_secret


# What each platform's delivery topics are about. Apps after this one act on a kind of
# delivery ("product", "order") without knowing any platform's topic names.
TOPIC_KINDS = {
    Store.Platform.SHOPIFY: {
        "orders/create": "order",
        "orders/updated": "order",
        "orders/cancelled": "order",
        # The mandatory privacy topics, set in the app's configuration rather than subscribed to.
        "customers/data_request": "compliance",
        "customers/redact": "compliance",
        "shop/redact": "compliance",
        "products/update": "product",
        "products/delete": "product",
    },
    Store.Platform.WOOCOMMERCE: {
        "order.created": "order",
        "order.updated": "order",
        "product.updated": "product",
        "product.deleted": "product",
    },
    Store.Platform.PRESSERO: {"OrderPlaced": "order"},
}
# kind -> the dotted name of the Celery task that processes such deliveries, taking the
# delivery's id. Filled by the apps that act on them (AppConfig.ready), since this app may not
# import them: register_topic_handler("product", "catalog.tasks.process_product_delivery").
topic_handlers = {}


def register_topic_handler(kind, task_name):
    """Have `task_name(delivery_id)` process every signed delivery of this kind. One handler a
    kind: a second, different one is a mistake in the wiring, not something to pick between."""
    if topic_handlers.get(kind, task_name) != task_name:
        raise ValueError(f"Deliveries of kind {kind!r} already go to {topic_handlers[kind]}.")
    topic_handlers[kind] = task_name


def delivery_kind(delivery):
    return TOPIC_KINDS.get(delivery.platform, {}).get(delivery.topic)


def handled_topics():
    """Q of the deliveries some app's task processes one by one (connection topics aside)."""
    return topics_of(topic_handlers)


def topics_of(kinds):
    """Q of the deliveries whose topics are of these kinds."""
    handled = Q(pk__in=[])
    for platform, topics in TOPIC_KINDS.items():
        names = [topic for topic, kind in topics.items() if kind in kinds]
        if names:
            handled |= Q(platform=platform, topic__in=names)
    return handled


def processing_task(delivery):
    """The task that processes this delivery: its kind's handler, or our own (connection
    topics; it leaves any other topic received, for a handler registered later)."""
    from celery import current_app

    from .tasks import process_delivery  # tasks import this module

    handler = topic_handlers.get(delivery_kind(delivery))
    # By name: the handler's app is one this app may not import.
    return current_app.signature(handler) if handler else process_delivery


def enqueue_processing(delivery):
    enqueue_on_commit(processing_task(delivery), delivery.id)


class Outcome:
    """How handle_delivery left a delivery: PROCESSED or FAILED (done with), or RETRY (still
    received: the platform was busy; the caller tries again later, with `error`)."""

    PROCESSED, FAILED, RETRY, NOT_CLAIMED = "processed", "failed", "retry", "not_claimed"

    def __init__(self, state, error=None):
        self.state, self.error = state, error


def handle_delivery(delivery_id, handler, *, final_attempt=True):
    """Claim a received, signed delivery and run `handler(delivery)` on it, in one transaction
    with the row locked: a redelivered task racing the sweeper finds it claimed or done and does
    nothing, so each delivery is acted on once. The handler's writes are kept only if it
    succeeds. It may return WebhookDelivery.State.IGNORED (nothing to do: an older state, say);
    a ValueError fails the delivery with its message; an AdapterError that trying again can
    help (a busy platform) leaves it received, counted in `attempts`, unless this was the
    final attempt. Returns an Outcome."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("store")
            .filter(pk=delivery_id, state=WebhookDelivery.State.RECEIVED, signature_valid=True)
            .first()
        )
        if delivery is None:
            return Outcome(Outcome.NOT_CLAIMED)
        return apply_handler(delivery, handler, final_attempt=final_attempt)


def apply_handler(delivery, handler, *, final_attempt, unexpected=(), retry_at=None):
    """Run `handler` on a delivery this transaction has claimed (locked), in a savepoint of its
    own, and record what became of it (handle_delivery's rules). Exceptions listed in
    `unexpected` count as ones that trying again may help, and are logged with their traceback;
    a delivery left to try again waits until `retry_at`."""
    outcome = Outcome(Outcome.PROCESSED)
    delivery.attempts += 1
    try:
        with transaction.atomic():  # a handler that fails leaves nothing half done
            state = handler(delivery)
    except ValueError as error:
        delivery.state, delivery.error = WebhookDelivery.State.FAILED, str(error)
        outcome = Outcome(Outcome.FAILED, error)
    except (AdapterError, *unexpected) as error:
        if not isinstance(error, AdapterError):
            logger.exception("Delivery %s could not be processed", delivery.pk)
        delivery.error = str(error) or type(error).__name__
        if getattr(error, "permanent", False) or final_attempt:
            delivery.state = WebhookDelivery.State.FAILED
            outcome = Outcome(Outcome.FAILED, error)
        else:
            outcome = Outcome(Outcome.RETRY, error)
            delivery.next_attempt_at = retry_at
    else:
        delivery.state, delivery.error = state or WebhookDelivery.State.PROCESSED, ""
    delivery.save(update_fields=["state", "error", "attempts", "next_attempt_at"])
    return outcome


def process_delivery(delivery):
    """Act on a stored delivery whose topic concerns the connection itself. Other topics stay
    received here; the app registered for their kind processes them (topic_handlers)."""
    if delivery.topic not in CONNECTION_TOPICS:
        return
    handle_delivery(delivery.pk, lambda claimed: CONNECTION_TOPICS[claimed.topic](claimed))


def product_delivery(delivery):
    """The product a signed product delivery speaks of, as an integrations.types.ProductDelivery.
    Raises ValueError for a body that is not what its topic says."""
    parse = PRODUCT_DELIVERY_PARSERS.get(delivery.platform)
    if parse is None or delivery_kind(delivery) != "product":
        raise ValueError(f"{delivery.topic!r} is not a product topic of {delivery.platform}.")
    return import_string(parse)(delivery.topic, delivery_payload(delivery))


def order_delivery(delivery):
    """What a signed order delivery says, as an integrations.types.OrderDelivery. Raises
    ValueError for a body that is not what its topic says."""
    parse = ORDER_DELIVERY_PARSERS.get(delivery.platform)
    if parse is None or delivery_kind(delivery) != "order":
        raise ValueError(f"{delivery.topic!r} is not an order topic of {delivery.platform}.")
    return import_string(parse)(delivery.topic, delivery_payload(delivery))


def delivery_payload(delivery):
    """The JSON object a signed delivery carries; ValueError when it carries something else."""
    try:
        payload = json.loads(bytes(delivery.body))
    except (ValueError, RecursionError):
        raise ValueError("The delivery's body is not JSON.") from None
    if not isinstance(payload, dict):
        raise ValueError("The delivery's body is not a JSON object.")
    return payload


# Topics that report an order's creation: a report of the same second from another topic is newer.
ORDER_CREATION_TOPICS = ("orders/create", "order.created")

ORDER_DELIVERY_PARSERS = {
    Store.Platform.SHOPIFY: "integrations.shopify.orders.order_delivery",
    Store.Platform.WOOCOMMERCE: "integrations.woocommerce.orders.order_delivery",
    Store.Platform.PRESSERO: "integrations.pressero.orders.order_delivery",
}


def fetch_order(store, external_id):
    """One order of the store's shop as it is now, as a SourceOrder. Raises AdapterError."""
    adapter = adapter_for(store)
    if adapter is None or not hasattr(adapter, "fetch_order"):
        raise AdapterError(_("This store's platform cannot be asked for an order."), permanent=True)
    return adapter.fetch_order(external_id)


def orders_changed(store, since):
    """The store's orders changed since `since`, as SourceOrders, read page by page as they are
    iterated (reconciliation; Etsy's polling). Raises AdapterError."""
    adapter = adapter_for(store)
    if adapter is None or not hasattr(adapter, "iter_orders_changed"):
        raise AdapterError(_("This store's platform cannot be asked for its orders."), permanent=True)
    return adapter.iter_orders_changed(since)


PRODUCT_DELIVERY_PARSERS = {
    Store.Platform.SHOPIFY: "integrations.shopify.products.product_delivery",
    Store.Platform.WOOCOMMERCE: "integrations.woocommerce.products.product_delivery",
}


def fetch_product(store, external_id):
    """One product of the store's shop as it is now (a SourceProduct; state "deleted" when the
    shop no longer has it). Raises AdapterError."""
    adapter = adapter_for(store)
    if adapter is None or not hasattr(adapter, "fetch_product"):
        raise AdapterError(_("This store's platform cannot be asked for a product."), permanent=True)
    return adapter.fetch_product(external_id)


def app_uninstalled(delivery):
    """Disconnect the store, if the signed body is the shop itself: the topic header is not
    covered by the signature, so a replayed order body must not pass for an uninstall."""
    store = delivery.store
    try:
        shop = json.loads(bytes(delivery.body)).get("myshopify_domain")
    except (ValueError, AttributeError):
        shop = None
    if shop != store.shop_identity:
        raise ValueError("The body of this app/uninstalled delivery is not the shop's.")
    if store.state != store.State.DISCONNECTED:
        # Shopify deletes an uninstalled app's subscriptions itself.
        store.webhooks = [{**hook, "status": "removed"} for hook in store.webhooks]
        store_services.disconnect_store(None, store, reason=_("The app was uninstalled in Shopify."))


CONNECTION_TOPICS = {"app/uninstalled": app_uninstalled}
EXPIRING_TOKEN_PLATFORMS = (Store.Platform.SHOPIFY, Store.Platform.ETSY)


def webhook_url(store):
    return settings.SITE_URL + reverse(f"hooks:{store.platform}", args=[store.code])


# Platforms that send us webhooks (Etsy's need commercial access, so it is polled instead).
WEBHOOK_PLATFORMS = (Store.Platform.SHOPIFY, Store.Platform.WOOCOMMERCE, Store.Platform.PRESSERO)
# Platforms whose webhooks Printfront registers itself.
WEBHOOK_REGISTERING_PLATFORMS = (Store.Platform.SHOPIFY, Store.Platform.WOOCOMMERCE)
# Platforms that sign their deliveries to us with a secret of the store's own.
STORE_SECRET_PLATFORMS = (Store.Platform.WOOCOMMERCE, Store.Platform.PRESSERO)


def save_connection(actor, membership, platform, connection, *, name=None):
    """Keep what connecting found out (a new store, or the client's existing store for the
    same shop), then start, in the background, what follows a connection. `name` is one the
    person chose (refused if taken); without it the store takes the platform's name."""
    from .tasks import register_webhooks  # tasks import this module

    store = store_services.connect_store(
        actor,
        membership,
        platform=platform,
        name=name or connection.name,
        # The platform's shop name may be one the client already uses: "Demo Apparel Co. (2)".
        number_taken_name=not name,
        shop_identity=connection.shop_identity,
        base_url=connection.base_url,
        credentials=connection.credentials,
        scopes=connection.scopes,
    )
    if platform in STORE_SECRET_PLATFORMS:
        ensure_webhook_secret(store)
    enqueue_on_commit(register_webhooks, store.id)
    return store


# How long one registration or removal may hold a store's webhooks: far longer than its few
# platform calls take, short enough that a copy whose worker died does not hold them for long.
WEBHOOKS_LOCK_SECONDS = 10 * 60


@contextmanager
def webhooks_lock(operation, store_id):
    """Whether this copy of `operation` ("register" or "remove") may work on the store's webhooks
    now: one copy at a time, since two that list and then create side by side make duplicates."""
    key, token = f"integrations:webhooks-{operation}:{store_id}", secrets.token_hex(8)
    held = cache.add(key, token, timeout=WEBHOOKS_LOCK_SECONDS)
    try:
        yield held
    finally:
        if held and cache.get(key) == token:  # not another copy's, taken after ours expired
            cache.delete(key)


def register_webhooks(store):
    """Make sure the platform sends us the store's order webhooks; record what it says.
    Returns the error to retry after, if the platform could not be reached."""
    try:
        adapter = adapter_for(store)
        if adapter is None or not hasattr(adapter, "ensure_webhooks"):
            return None
        ensure_webhook_secret(store)
        webhooks = adapter.ensure_webhooks(webhook_url(store), store.webhook_secret)
    except AdapterError as error:
        _record_registration(store, webhooks_error=str(error))
        return None if error.permanent else error
    if not _record_registration(store, webhooks=webhooks, webhooks_error=""):
        # Disconnected meanwhile, when these did not exist yet: nothing else will remove them.
        try:
            adapter.remove_webhooks(webhooks)
        except AdapterError as error:
            logger.warning("Webhooks of disconnected store %s left at the platform: %s", store.id, error)
    return None


def _record_registration(store, **fields):
    """Save how registering went, unless the store was disconnected meanwhile."""
    for name, value in fields.items():
        setattr(store, name, value)
    return (
        Store.objects.filter(id=store.id)
        .exclude(state=Store.State.DISCONNECTED)
        .update(**fields, updated_at=timezone.now())
    )


def request_check(actor, store):
    """Check the connection again, in the worker: the store page follows the outcome."""
    from .tasks import verify_store  # tasks import this module

    store_services.request_connection_check(actor, store)
    enqueue_on_commit(verify_store, store.id)


def verify_store(store):
    """Check a store's connection now and record the outcome. Returns the error to retry
    after while the platform is busy or unreachable and the store is not failing for it yet."""
    if store.platform == Store.Platform.MANUAL:
        return None
    try:
        adapter_for(store).verify()
    except AdapterError as error:
        store_services.record_connection_check(None, store, str(error), transient=not error.permanent)
        if error.permanent or store.state == Store.State.FAILING:
            return None
        return error
    store_services.record_connection_check(None, store, None)
    return None


def disconnect(actor, store):
    """Disconnect a store; its webhooks are then removed at the platform, in the worker, with
    the credentials kept until that is done (unregister_webhooks forgets them)."""
    from .tasks import unregister_webhooks  # tasks import this module

    with transaction.atomic():
        # Locked and read afresh: a registration finishing now is either seen here, or sees
        # the store disconnected and removes its webhooks itself.
        store = Store.objects.select_for_update().get(pk=store.pk)
        unregister = (
            store.platform in WEBHOOK_REGISTERING_PLATFORMS
            and bool(store.webhooks)
            and not store.needs_reconnect  # credentials no key can read remove nothing
        )
        if unregister:
            store.webhooks_error = ""  # lost_cleanups: the removal has not run yet
        store_services.disconnect_store(actor, store, keep_credentials=unregister)
    if unregister:
        enqueue_on_commit(unregister_webhooks, store.id)


def unregister_webhooks(store, final_attempt=True):
    """Remove a disconnected store's webhooks at the platform, best effort, and record what
    happened on the store. Returns the error to retry after, unless this is the final attempt:
    then, or when done, the credentials are forgotten."""
    if store.state != Store.State.DISCONNECTED or store.credentials is None:
        return None
    if is_unreadable(store.credentials):
        # No configured key reads them (one was rotated away): no attempt can reach the shop.
        store.webhooks_error = _(
            "Printfront could not read this store's saved credentials, so it could not remove its "
            "webhooks from the shop. Remove them in the shop's settings."
        )
        return _finish_removal(store)
    adapter = adapter_for(store)
    try:
        adapter.remove_webhooks(store.webhooks)
    except AdapterError as error:
        if not (error.permanent or final_attempt):
            note = _("Removing Printfront's webhooks from the shop: %(error)s Printfront tries again.")
            _record_removal(store, webhooks_error=note % {"error": error})
            return error
        store.webhooks_error = _(
            "Printfront could not remove its webhooks from the shop: %(error)s Remove them in the shop's settings."
        ) % {"error": error}
    else:
        store.webhooks = [{**hook, "status": "removed"} for hook in store.webhooks]
        store.webhooks_error = ""
    return _finish_removal(store)


def _finish_removal(store):
    """Record the removal's outcome and forget the credentials, now that no attempt is left."""
    if _record_removal(store, webhooks=store.webhooks, webhooks_error=store.webhooks_error):
        store_services.forget_credentials(store.id)
    else:
        # Connected again while we were removing: make sure its new subscriptions survived.
        from .tasks import register_webhooks  # tasks import this module

        enqueue_on_commit(register_webhooks, store.id)
    return None


def _record_removal(store, **fields):
    """Save how removing webhooks went, unless the store was connected again meanwhile."""
    return Store.objects.filter(id=store.id, state=Store.State.DISCONNECTED).update(
        **fields, updated_at=timezone.now()
    )


TOKEN_MARGIN = timedelta(minutes=15)


def refresh_expiring_tokens(margin=TOKEN_MARGIN):
    """Renew every access token that expires within `margin`, so no sync or order fetch ever
    meets an expired one. A refused renewal marks the store failing, with the reason."""
    renewed = 0
    live = ~Q(state=Store.State.DISCONNECTED)
    for store_id in Store.objects.filter(live, platform__in=EXPIRING_TOKEN_PLATFORMS).values_list(
        "id", flat=True
    ):
        with transaction.atomic():
            # Locked and read afresh: a store disconnected meanwhile is left alone, and no two
            # renewals spend the same (rotating) refresh token.
            store = Store.objects.select_for_update().filter(live, id=store_id).first()
            # Unreadable credentials renew nothing; the store's page already asks to connect again.
            if store is None or store.needs_reconnect:
                continue
            try:
                refreshed = adapter_for(store).refresh_if_needed(margin=margin)
            except AdapterError as error:
                # A busy platform keeps the store as it is until the trouble lasts (the task
                # runs again soon); a refused renewal makes it failing at once.
                store_services.record_connection_check(None, store, str(error), transient=not error.permanent)
                continue
            renewed += refreshed
            if refreshed and store.trouble_since:
                # The platform answered: the trouble is over, and must not count towards the next.
                store_services.record_connection_check(None, store, None)
    return renewed


# Longer than a handler's retries take (tasks.retry_wait: 1, 2, 4, 8, 16 minutes).
HANDLER_RETRY_WAIT = timedelta(hours=1)


def lost_work(lost_after=LOST_AFTER):
    """Work queued after a commit that never ran (the broker was down): connection deliveries
    still waiting, and connected stores whose webhooks were never registered."""
    cutoff = timezone.now() - lost_after
    # A delivery whose handler asked to try again waits on its own retry (at most half an hour,
    # tasks.retry_wait); it counts as lost only when that retry was lost too.
    never_ran = Q(attempts=0, created_at__lte=cutoff)
    retry_lost = Q(attempts__gt=0, created_at__lte=timezone.now() - HANDLER_RETRY_WAIT)
    deliveries = WebhookDelivery.objects.filter(
        Q(topic__in=CONNECTION_TOPICS) | handled_topics(),
        never_ran | retry_lost,
        state=WebhookDelivery.State.RECEIVED,
        signature_valid=True,
    ).values_list("id", flat=True)
    stores = Store.objects.filter(
        platform__in=WEBHOOK_REGISTERING_PLATFORMS,
        state=Store.State.CONNECTED,
        webhooks=[],
        webhooks_error="",
        connected_at__lte=cutoff,
    ).values_list("id", flat=True)
    return list(deliveries), list(stores)


# Longer than a removal waits on its own retry (tasks.retry_wait: 1, 2, 4, 8, 16 minutes).
REMOVAL_RETRY_WAIT = timedelta(minutes=20)


def lost_cleanups(older_than=LOST_AFTER):
    """Disconnected stores whose webhook removal never ran (the broker was down): they still
    hold the credentials it needs, which must not stay forever. A removal that ran has noted
    why it tries again (webhooks_error) and waits on its own retry, unless that retry was lost too."""
    now = timezone.now()
    never_ran = Q(webhooks_error="", updated_at__lte=now - older_than)
    retry_lost = Q(updated_at__lte=now - REMOVAL_RETRY_WAIT)
    return list(
        Store.objects.filter(
            never_ran | retry_lost, state=Store.State.DISCONNECTED, credentials__isnull=False
        ).values_list("id", flat=True)
    )


def outdated_registrations():
    """Connected stores whose webhooks were registered before Printfront subscribed to more
    topics (the product topics, say): registering again adds what is missing, and keeps what
    is there. A store whose registration failed says so (webhooks_error) and waits for a
    reconnect or its own retry."""
    outdated = []
    stores = Store.objects.filter(
        platform__in=WEBHOOK_REGISTERING_PLATFORMS, state=Store.State.CONNECTED, webhooks_error=""
    ).exclude(webhooks=[])
    for store_id, platform, hooks in stores.values_list("id", "platform", "webhooks"):
        wanted = set(subscribed_topics(platform))
        if not wanted <= {hook.get("topic") for hook in hooks if isinstance(hook, dict)}:
            outdated.append(store_id)
    return outdated


def subscribed_topics(platform):
    """The topics Printfront subscribes a platform's stores to (its adapter's webhook_topics)."""
    entry = PLATFORMS.get(platform)
    adapter = import_string(entry.adapter) if entry and entry.adapter else None
    return tuple(getattr(adapter, "webhook_topics", ()))


# Platforms whose shops Printfront reads products from but which send no product webhooks
# (Etsy's need commercial access): their stores are asked for changed products on a schedule.
PRODUCT_POLLED_PLATFORMS = (Store.Platform.ETSY,)


def product_polled_stores():
    """Connected stores to ask for changed products on a schedule (catalog.tasks.sync_changed_products)."""
    return Store.objects.filter(platform__in=PRODUCT_POLLED_PLATFORMS, state=Store.State.CONNECTED)
