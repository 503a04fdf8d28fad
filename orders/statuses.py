"""Which moves an item may make through production, and the order's status derived from its items."""

from django.utils.translation import gettext as _

from .models import ItemStatus as S

# Where each status may go next. Canceling is possible until the item ships; after that it can
# only come back (Returned). Failed items can be passed after all, once the problem is solved.
MOVES = {
    S.RECEIVED: {S.PASSED, S.FAILED, S.CANCELED},
    S.PASSED: {S.IN_PRODUCTION, S.FAILED, S.CANCELED},
    S.FAILED: {S.PASSED, S.CANCELED},
    S.IN_PRODUCTION: {S.PRINTED, S.FAILED, S.CANCELED},
    S.PRINTED: {S.PACKAGED, S.FAILED, S.CANCELED},
    S.PACKAGED: {S.SHIPPED, S.CANCELED},
    S.SHIPPED: {S.IN_TRANSIT, S.DELIVERED, S.RETURNED},
    S.IN_TRANSIT: {S.DELIVERED, S.RETURNED},
    S.DELIVERED: {S.RETURNED},
    S.RETURNED: set(),
    S.CANCELED: set(),
}

# Moves that need a reason in words, and the one that needs tracking.
NEEDS_REASON = {S.FAILED, S.RETURNED, S.CANCELED}
NEEDS_TRACKING = {S.SHIPPED}
# The order of the way through production; the order is as far as its least advanced item.
PROGRESS = [
    S.RECEIVED,
    S.PASSED,
    S.IN_PRODUCTION,
    S.PRINTED,
    S.PACKAGED,
    S.SHIPPED,
    S.IN_TRANSIT,
    S.DELIVERED,
    S.RETURNED,
]


def can_move(current, target):
    return target in MOVES.get(current, set())


def move_problem(current, target):
    """Why an item in `current` cannot move to `target`, in words; None if it can."""
    if can_move(current, target):
        return None
    return _("An item that is %(current)s cannot be moved to %(target)s.") % {
        "current": S(current).label,
        "target": S(target).label,
    }


def order_status(item_statuses):
    """The order's status from its items': Canceled when all are; Failed when any live item
    failed; otherwise the least advanced of the live (not canceled) items."""
    live = [status for status in item_statuses if status != S.CANCELED]
    if not live:
        return S.CANCELED
    if S.FAILED in live:
        return S.FAILED
    return min(live, key=PROGRESS.index)


def targets(statuses):
    """The statuses every one of these items may move to (for the choice offered on a page)."""
    allowed = None
    for status in statuses:
        allowed = MOVES[status] if allowed is None else allowed & MOVES[status]
    return [status for status in S.values if status in (allowed or set())]
