"""ImportRun steps the views and the worker call: validate, claim, apply, and the sweep's lost runs."""

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import User
from core.tasks import enqueue_on_commit

from ..models import ImportRun
from .applying import ApplyProgress, apply, queue_design_file_checks, serialise_appliers
from .reading import FileRefused, read_rows
from .validation import record_validation, validate

logger = logging.getLogger(__name__)

# Files with more rows than this are validated and applied in the worker, with progress.
WORKER_ROWS = 2000
# An import still being checked or applied this long after upload lost its worker message.
STALLED_AFTER = timedelta(minutes=10)


def start_import(actor, store, file_name, data, rows):
    """Keep an uploaded file that read well as an ImportRun and check its rows: here for a small
    file, in the worker (with progress) for a large one. Returns the run."""
    run = ImportRun(store=store, file_name=file_name[:255], created_by=actor, rows_total=len(rows))
    run.file.save(f"{store.code}.csv", ContentFile(data), save=False)
    run.save()
    if len(rows) > WORKER_ROWS:
        from .. import tasks  # tasks import this package

        enqueue_on_commit(tasks.validate_mapping_import, run.pk)
    else:
        record_validation(run, validate(store, rows))
    return run


def start_apply(actor, run):
    """Apply a checked run: here for a small file, in the worker for a large one. None if the run
    is not ready (it has errors, or a second click finds it applied); else the run as it stands."""
    if not claim_for_apply(run):
        return None
    if run.rows_total > WORKER_ROWS:
        from .. import tasks  # tasks import this package

        enqueue_on_commit(tasks.apply_mapping_import, run.pk, actor.pk)
        return run
    return apply_run(run.pk, actor.pk, progress=False)


def _load(run_id):
    return ImportRun.objects.select_related("store", "store__client").get(pk=run_id)


def _read_run(run):
    try:
        with run.file.open("rb") as upload:
            return upload.read()
    except (ValueError, OSError):  # no file, or gone from the media folder
        raise FileRefused(_("The uploaded file is no longer there. Import it again.")) from None


def _fail(run, message):
    run.state = ImportRun.State.FAILED
    run.summary = {**run.summary, "message": str(message)}
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "summary", "finished_at"])


def validate_run(run_id):
    """Validate an uploaded import waiting for it (state validating), with progress. Idempotent:
    a run in any other state is left as it is."""
    run = _load(run_id)
    if run.state != ImportRun.State.VALIDATING:
        return run
    try:
        rows = read_rows(_read_run(run))
    except FileRefused as error:
        _fail(run, error)
        return run
    ImportRun.objects.filter(pk=run.pk).update(rows_total=len(rows), rows_done=0)

    def progress(done):
        ImportRun.objects.filter(pk=run.pk).update(rows_done=done)

    record_validation(run, validate(run.store, rows, progress))
    return run


def lost_runs(now=None):
    """Imports whose worker message was lost (a broker outage, a worker killed): still being
    checked or applied STALLED_AFTER after they were last sent to the worker (queued_at: an
    import applied an hour after its upload is not lost). Both steps may run again: checking
    writes the same answer, and applying waits for the run's lock and finds it applied."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    stuck = ImportRun.objects.filter(queued_at__lt=cutoff, finished_at__isnull=True)
    return (
        list(stuck.filter(state=ImportRun.State.VALIDATING).values_list("id", flat=True)),
        list(stuck.filter(state=ImportRun.State.APPLYING).values_list("id", flat=True)),
    )


def sent_again(run_ids, now=None):
    """The sweep sent these runs to the worker again: the next sweep waits STALLED_AFTER more
    before sending them once more (a long apply gets one extra message, not one a minute)."""
    ImportRun.objects.filter(pk__in=run_ids).update(queued_at=now or timezone.now())


def claim_for_apply(run):
    """Move a checked run to applying; False if it is not ready (applied already, or by a second
    click)."""
    return bool(
        ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.READY).update(
            state=ImportRun.State.APPLYING, rows_done=0, queued_at=timezone.now()
        )
    )


def apply_run(run_id, user_id=None, progress=True):
    """Apply a claimed run (state applying) in one transaction: validate the file again, then
    write every row, or nothing. Idempotent: a run in any other state is left as it is."""
    run = _load(run_id)
    if run.state != ImportRun.State.APPLYING:
        return run
    user = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        rows = read_rows(_read_run(run))
    except FileRefused as error:
        _fail(run, error)
        return run
    tracker = ApplyProgress(run) if progress else None
    try:
        with transaction.atomic():
            # A second delivery of this task (the sweep's) waits here, then finds it applied.
            serialise_appliers(run)
            if not ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.APPLYING).exists():
                return _load(run_id)
            plan = validate(run.store, rows)
            if plan.error_count:
                record_validation(run, plan)  # the store or the catalog changed since the preview
                return run
            recheck = apply(run.store, plan, user, tracker)
            run.state = ImportRun.State.DONE
            run.rows_total = run.rows_done = plan.rows_total
            run.summary = {**plan.counts(), "error_count": 0, "preview": run.summary.get("preview", [])}
            run.finished_at = timezone.now()
            run.save(update_fields=["state", "rows_total", "rows_done", "summary", "finished_at"])
            audit.record(
                user,
                "products.imported",
                client=run.store.client,
                target=run.store.name,
                data={"import": str(run.code), **plan.counts()},
            )
            queue_design_file_checks(run.store, recheck)
    except (IntegrityError, DatabaseError):
        logger.exception("Applying import %s failed", run.pk)
        run.refresh_from_db()
        _fail(
            run,
            _("The mappings changed while the file was applied, so nothing was applied. Import it again."),
        )
    finally:
        if tracker:
            tracker.close()
    return run
