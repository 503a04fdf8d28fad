"""Sync products: read every product of a connected shop, page by page, into StoreProduct and
StoreVariant (catalog.sync.apply_page), then mark what the shop no longer has as deleted.

A SyncRun is the unit of work, not the broker message. It is queued (one live run per store: a
second click joins it), claimed by a worker (queued -> running, a compare-and-set, so a repeated
or late message does nothing), and records after every page what it has done and where the
adapter goes on from (`cursor`). A full sync then asks the shop about each product it did not
report (`confirm_unreported`): platforms that page by position (WooCommerce's page numbers, Etsy's
offsets) skip a product when one before it is deleted while the sync reads, so only the shop's
answer for that one product says whether it is gone. When the platform stays busy (429, 5xx, timeouts beyond
core.http's own retries) the run goes back to the queue with `wake_at` and a message saying when
it goes on; the next attempt resumes at the cursor. A permanent refusal (revoked access, bad
credentials) fails the run with the platform's reason. The periodic sweep re-sends runs whose
message was lost (a broker outage) and runs whose worker died.
"""

import logging
import queue
import threading
from datetime import timedelta

from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.http import retry_after_seconds
from core.tasks import LOST_AFTER, enqueue_on_commit
from integrations.base import AdapterError
from integrations.registry import adapter_for, reads_products
from storefronts.models import Store

from .models import RunState, SourceState, SyncRun
from .sync import apply_page, mark_gone, unreported

logger = logging.getLogger(__name__)

LIVE = (RunState.QUEUED, RunState.RUNNING)
# A busy platform is waited out this many times in a row (no page between), then the run fails.
BUSY_RETRIES = 8
FIRST_WAIT, LONGEST_WAIT = 15, 15 * 60  # seconds
# A running run with no page for this long lost its worker: the sweep queues it again.
STALLED_AFTER = timedelta(minutes=15)
# A message may arrive a little before wake_at (clocks, the broker's rounding).
EARLY = timedelta(seconds=2)
# A full sync asks the shop about the products it did not report, this many between saves.
CONFIRM_BATCH = 50
CONFIRM_KEY = "confirm_after"
INCREMENTAL_KEPT = 50  # incremental runs that changed something, newest first (prune_incremental_runs)  # the cursor while confirming: the last product pk asked about
# An incremental sync asks for changes since the last finished sync began, less this margin.
INCREMENTAL_MARGIN = timedelta(minutes=5)


def can_sync(store):
    return store.state != Store.State.DISCONNECTED and reads_products(store)


def live_run(store):
    return SyncRun.objects.filter(store=store, state__in=LIVE).first()


def latest_run(store):
    return SyncRun.objects.filter(store=store).order_by("-created_at", "-id").first()


def latest_full_run(store):
    """The last full sync: what the store's sync panel reports (the scheduled incremental syncs
    are shown on a line of their own, see latest_incremental_run)."""
    return SyncRun.objects.filter(store=store, kind=SyncRun.Kind.FULL).order_by("-created_at", "-id").first()


def latest_incremental_run(store):
    """The last finished scheduled check for changes (Etsy's, every 15 minutes)."""
    return (
        SyncRun.objects.filter(
            store=store, kind=SyncRun.Kind.INCREMENTAL, state__in=(RunState.DONE, RunState.FAILED)
        )
        .order_by("-created_at", "-id")
        .first()
    )


def prune_incremental_runs(store, newest):
    """Incremental runs are the Etsy poll every 15 minutes: kept all, they would be ~96 rows a
    day per store, nearly all saying "nothing changed". Once `newest` has finished, older
    finished incremental runs that changed nothing and met no error are deleted (they say
    nothing the newest one does not; the newest is kept whatever it found, as
    incremental_since reads its start), and of those that did change something only the newest
    INCREMENTAL_KEPT stay, as a short history. Full syncs are never deleted here."""
    older = SyncRun.objects.filter(
        store=store, kind=SyncRun.Kind.INCREMENTAL, state__in=(RunState.DONE, RunState.FAILED)
    ).exclude(pk=newest.pk)
    older.filter(state=RunState.DONE, created=0, updated=0, gone=0, errors=[]).delete()
    kept = older.order_by("-created_at", "-id").values_list("pk", flat=True)[:INCREMENTAL_KEPT]
    older.exclude(pk__in=list(kept)).delete()


def start(actor, store, kind=SyncRun.Kind.FULL):
    """Queue a sync of `store`, or join the one already queued or running (the database's
    one-live-sync constraint decides between two clicks at the same moment). Returns
    (run, started): started is False when an existing run was joined."""
    existing = live_run(store)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(store=store, kind=kind, started_by=actor)
            if actor is not None:
                audit.record(actor, "products.sync_started", client=store.client, target=store.name)
            enqueue(run)
    except IntegrityError:
        return live_run(store), False
    return run, True


def enqueue(run):
    from . import tasks  # tasks import this module

    enqueue_on_commit(tasks.sync_products, run.id)


class QueryCounter:
    """Counts the SQL statements run on the default connection inside it."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def claim(run_id):
    """Take a queued run that is due (queued -> running); None if another worker has it, it is
    finished, or it waits on a busy platform until later."""
    now = timezone.now()
    claimed = (
        SyncRun.objects.filter(pk=run_id, state=RunState.QUEUED)
        .filter(Q(wake_at__isnull=True) | Q(wake_at__lte=now + EARLY))
        .update(state=RunState.RUNNING, progress_at=now, wake_at=None)
    )
    if not claimed:
        return None
    run = SyncRun.objects.select_related("store").get(pk=run_id)
    if run.started_at is None:
        run.started_at = now
        SyncRun.objects.filter(pk=run.pk).update(started_at=now)
    return run


def run_sync(run_id):
    """Do, or go on with, one sync run. Returns the seconds to wait before the next attempt
    when the platform is busy (the run is queued again), else None."""
    run = claim(run_id)
    if run is None:
        return None
    store = run.store
    if not can_sync(store):
        fail(run, _("This store is disconnected: connect it again, then sync its products."))
        return None
    try:
        adapter = adapter_for(store)
        since = incremental_since(store) if run.kind == SyncRun.Kind.INCREMENTAL else None
        if not confirming(run):
            for page, resume in fetched_ahead(adapter, since=since, resume=run.cursor):
                record_page(run, store, page, resume)
        if run.kind == SyncRun.Kind.FULL:
            confirm_unreported(run, store, adapter)
    except AdapterError as error:
        if error.permanent:
            fail(run, str(error))
            return None
        return wait_for_platform(run, error)
    finish(run)
    return None


class _End:
    pass


def fetched_ahead(adapter, *, since, resume):
    """The adapter's pages with the position after each, the next page fetched in a thread
    while this one is written: the platform's answer time and ours overlap rather than add up.
    At most one page waits, so memory stays at two pages. An error of the adapter's comes out
    here, in order, after the pages before it."""
    pages = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item):
        while not stop.is_set():
            try:
                pages.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def fetch():
        try:
            for page in adapter.iter_product_pages(since=since, resume=resume):
                if not put((page, adapter.resume)):
                    return
            put(_End)
        except Exception as error:  # handed to the consumer, which decides
            put(error)
        finally:
            connections.close_all()  # a token refresh saved the store from this thread

    thread = threading.Thread(target=fetch, name="sync-fetch", daemon=True)
    thread.start()
    try:
        while True:
            item = pages.get()
            if item is _End:
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=30)


def record_page(run, store, page, resume):
    """Apply one page and note it on the run, in a fixed number of queries."""
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        result = apply_page(store, page, seen_at=run.started_at)
        SyncRun.objects.filter(pk=run.pk).update(
            products_seen=F("products_seen") + len(page),
            variants_seen=F("variants_seen") + result.variants,
            created=F("created") + result.created,
            updated=F("updated") + result.updated,
            pages=F("pages") + 1,
            queries=F("queries") + counter.count + 1,  # this UPDATE counts too
            cursor=resume,
            busy_retries=0,
            progress_at=timezone.now(),
            message="",
        )
    run.busy_retries = 0


def confirming(run):
    """Whether the run has read every page and is asking about unreported products."""
    return isinstance(run.cursor, dict) and CONFIRM_KEY in run.cursor


def confirm_unreported(run, store, adapter):
    """Ask the shop about each product this full sync did not see (adapter.fetch_product):
    one still there is applied as it is now, one the shop says is deleted is marked so. In
    batches of CONFIRM_BATCH, in pk order, with the position saved on the run after each batch,
    so a busy platform (an AdapterError out of here) makes the run wait and go on from there.
    What is confirmed leaves the unreported set, so the work is bounded by the products the
    listing skipped or the shop deleted, never the whole shop."""
    after = run.cursor[CONFIRM_KEY] if confirming(run) else 0
    if not confirming(run):
        SyncRun.objects.filter(pk=run.pk).update(cursor={CONFIRM_KEY: 0})
    while True:
        batch = list(
            unreported(store, run.started_at)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "external_id")[:CONFIRM_BATCH]
        )
        if not batch:
            return
        found, gone = [], []
        for _pk, external_id in batch:
            product = adapter.fetch_product(external_id)
            (gone if product.state == SourceState.DELETED else found).append(product)
        with transaction.atomic():
            apply_page(store, found, seen_at=run.started_at)
            marked = mark_gone(store, [product.external_id for product in gone])
            after = batch[-1][0]
            SyncRun.objects.filter(pk=run.pk).update(
                gone=F("gone") + marked,
                cursor={CONFIRM_KEY: after},
                busy_retries=0,
                progress_at=timezone.now(),
                message="",
            )
        run.busy_retries = 0


def incremental_since(store):
    last = (
        SyncRun.objects.filter(store=store, state=RunState.DONE, started_at__isnull=False)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return last - INCREMENTAL_MARGIN if last else None


def finish(run):
    SyncRun.objects.filter(pk=run.pk).update(
        state=RunState.DONE, finished_at=timezone.now(), cursor=None, message=""
    )
    if run.kind == SyncRun.Kind.INCREMENTAL:
        prune_incremental_runs(run.store, run)


def fail(run, reason):
    logger.info("Product sync %s of store %s failed: %s", run.pk, run.store_id, reason)
    run.refresh_from_db(fields=["errors"])
    SyncRun.objects.filter(pk=run.pk).update(
        state=RunState.FAILED,
        finished_at=timezone.now(),
        message=reason,
        errors=[*run.errors, reason],
        wake_at=None,
    )


def wait_for_platform(run, error):
    """The platform is busy: queue the run again for later, or give up after BUSY_RETRIES."""
    retries = run.busy_retries + 1
    if retries > BUSY_RETRIES:
        fail(
            run,
            _("%(reason)s It stayed so through %(count)d attempts: try the sync again later.")
            % {"reason": error, "count": BUSY_RETRIES},
        )
        return None
    asked = retry_after_seconds(str(error.retry_after)) if error.retry_after is not None else None
    wait = asked if asked is not None else FIRST_WAIT * 2 ** (retries - 1)
    wait = max(1, min(int(wait), LONGEST_WAIT))
    SyncRun.objects.filter(pk=run.pk).update(
        state=RunState.QUEUED,
        wake_at=timezone.now() + timedelta(seconds=wait),
        busy_retries=retries,
        message=_("%(reason)s Continuing in %(seconds)d s, from where it stopped.")
        % {"reason": error, "seconds": wait},
    )
    return wait


def lost_runs(now=None):
    """Runs to send to the worker again: queued ones whose message never came (queued, or due
    after a wait, more than LOST_AFTER ago) and running ones whose worker died (no page for
    STALLED_AFTER), which go back to the queue first."""
    now = now or timezone.now()
    SyncRun.objects.filter(state=RunState.RUNNING, progress_at__lt=now - STALLED_AFTER).update(
        state=RunState.QUEUED, wake_at=None
    )
    cutoff = now - LOST_AFTER
    due = Q(wake_at__isnull=True, created_at__lt=cutoff) | Q(wake_at__lt=cutoff)
    return list(SyncRun.objects.filter(due, state=RunState.QUEUED).values_list("id", flat=True))
