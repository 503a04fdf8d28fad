"""Checking an order's print files in the worker, as design files are checked: fetched through
the SSRF guard (or opened from storage), read, and judged against the item's print specifications."""

from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from catalog.design_files import CHECK_LOST_AFTER, FileTrouble, facts_of, judge
from catalog.mapping import effective_specs
from catalog.models import FileCheck, ProductMapping
from core.tasks import enqueue_on_commit

from .intake import link_items, settle
from .models import Hold, Order, OrderItem
from .rules import start_if_straight


def specs_of(item):
    """The specs the item's file must meet: its mapping's (with the client's overrides) while
    the mapping still names the same catalog variant, else the catalog's own."""
    mapping = (
        ProductMapping.objects.filter(variant_id=item.store_variant_id).first()
        if item.store_variant_id
        else None
    )
    overrides = (
        mapping.spec_overrides if mapping and mapping.catalog_variant_id == item.catalog_variant_id else {}
    )
    return effective_specs(SimpleNamespace(catalog_variant=item.catalog_variant, spec_overrides=overrides))


def check_order(order_id):
    """Check every print file of the order waiting for its check, then settle the order's
    hold. Each file is read once however many items use it. Returns how many were checked."""
    items = OrderItem.objects.filter(order_id=order_id, file_check=FileCheck.PENDING).select_related(
        "catalog_variant__product"
    )
    seen, checked = {}, 0
    for item in items:
        source = (item.design_file_url, item.design_file.name or "")
        if source not in seen:
            seen[source] = facts_of(*source)
        facts = seen[source]
        if isinstance(facts, FileTrouble):
            ok, problem, info = False, str(facts), {}
        else:
            ok, problem, info = judge(facts, specs_of(item))
        # Only if the item still waits for this file's check (it may have been relinked meanwhile).
        OrderItem.objects.filter(
            pk=item.pk, file_check=FileCheck.PENDING, design_file_url=source[0], design_file=source[1]
        ).update(
            file_check=FileCheck.OK if ok else FileCheck.PROBLEM,
            file_problem=problem,
            file_info=info,
            file_checked_at=timezone.now(),
        )
        checked += 1
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is not None:
            settle(order)
            start_if_straight(order)
    return checked


def request_check(order):
    """Check the order's print files again (the "Check again" button on a file problem): items
    follow their mapping's file first (it may have been replaced since), then every file is
    checked anew."""
    from .tasks import check_print_files  # tasks import this module

    with transaction.atomic():
        # The order first, then its items: the lock order of every other writer (no deadlock).
        locked = Order.objects.select_for_update().get(pk=order.pk)
        link_items(locked, refresh=True)
        locked.items.exclude(design_file="", design_file_url="").filter(
            file_check__in=[FileCheck.PROBLEM, FileCheck.OK]
        ).update(file_check=FileCheck.PENDING, file_problem="", file_checked_at=None)
        settle(locked)
        enqueue_on_commit(check_print_files, order.pk)


def lost_checks(older_than=CHECK_LOST_AFTER):
    """Orders with print files still waiting for a check long after they were queued: the
    worker's message was lost (a broker outage). The sweep queues them again."""
    cutoff = timezone.now() - older_than
    return list(
        Order.objects.filter(hold=Hold.FILE_PENDING, updated_at__lte=cutoff).values_list("id", flat=True)[
            :500
        ]
    )
