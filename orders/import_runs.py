"""An OrderImport's steps: kept once checked, claimed by "Import", imported by the worker in one
transaction (checked again first), and sent again by the sweep if its worker message was lost."""

import logging
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.mapping_csv.reading import FileRefused
from core.models import User
from core.tasks import enqueue_on_commit

from . import csv_import
from .manual import ReferenceTaken, import_orders, lock_store
from .models import OrderImport

logger = logging.getLogger(__name__)

# An import still importing this long after it went to the worker lost its message.
STALLED_AFTER = timedelta(minutes=10)


def keep_checked(actor, store, file_name, data, plan):
    """Keep a file whose every row is right, with its preview, ready to import."""
    return OrderImport.objects.create(
        store=store,
        file_name=file_name[:255],
        content=data.decode("utf-8-sig"),
        created_by=actor,
        summary={"totals": plan.totals(), "preview": csv_import.preview(plan)},
    )


def start(run):
    """Send a checked import to the worker; False if it is not ready (imported already, or by a
    second click)."""
    claimed = OrderImport.objects.filter(pk=run.pk, state=OrderImport.State.READY).update(
        state=OrderImport.State.IMPORTING, queued_at=timezone.now()
    )
    if claimed:
        from .tasks import import_order_file  # tasks import this module

        enqueue_on_commit(import_order_file, run.pk)
    return bool(claimed)


def _finish(run_id, state, **fields):
    OrderImport.objects.filter(pk=run_id).update(state=state, finished_at=timezone.now(), **fields)


def run(run_id):
    """Import a claimed file: every order, or none. Idempotent: an import in any other state, or
    one a second delivery of this task finds done, is left as it is."""
    with transaction.atomic():
        run = (
            OrderImport.objects.select_for_update().select_related("store__client").filter(pk=run_id).first()
        )
        if run is None or run.state != OrderImport.State.IMPORTING:
            return run
        try:
            rows = csv_import.read_rows(run.content.encode())
        except FileRefused as refused:
            _finish(run.pk, OrderImport.State.FAILED, summary={**run.summary, "message": str(refused)})
            return run
        lock_store(run.store)  # placing by hand waits, so what is checked here stays true
        plan = csv_import.validate(run.store, rows)
        if plan.error_count:  # the store, its mappings or the catalog changed since the preview
            _finish(run.pk, OrderImport.State.INVALID, errors=plan.errors)
            return run
        user = User.objects.filter(pk=run.created_by_id).first()
        try:
            with transaction.atomic():  # a savepoint: on failure the import's state is still written
                created = import_orders(user, run.store, plan.manual_orders())
        except ReferenceTaken as taken:
            _finish(run.pk, OrderImport.State.FAILED, summary={**run.summary, "message": str(taken)})
            return run
        except DatabaseError:
            logger.exception("Importing orders file %s failed", run.pk)
            message = _("The orders could not be saved, so none was imported. Import the file again.")
            _finish(run.pk, OrderImport.State.FAILED, summary={**run.summary, "message": message})
            return run
        references = [order.number for order in created[: csv_import.PREVIEW_ORDERS]]
        _finish(run.pk, OrderImport.State.DONE, summary={**run.summary, "references": references})
    return run


def lost(now=None):
    """Imports whose worker message was lost (a broker outage, a killed worker)."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    return list(
        OrderImport.objects.filter(state=OrderImport.State.IMPORTING, queued_at__lt=cutoff).values_list(
            "id", flat=True
        )
    )


def send_again(run_ids):
    """The sweep sends these again; the next sweep waits STALLED_AFTER more before the next copy."""
    OrderImport.objects.filter(pk__in=run_ids).update(queued_at=timezone.now())
