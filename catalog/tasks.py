"""Background work of the catalog: each task takes ids, re-reads its rows and does only what is
still waiting, so a repeated or late message changes nothing."""

from celery import shared_task

from . import bulk


@shared_task
def validate_mapping_import(run_id):
    """Check a large mapping CSV row by row (the import page polls its progress)."""
    bulk.validate_run(run_id)


@shared_task
def apply_mapping_import(run_id, user_id=None):
    """Apply a checked large mapping CSV in one transaction."""
    bulk.apply_run(run_id, user_id)
