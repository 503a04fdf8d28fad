"""Which rule an order meets: a pure function of the rules and plain facts about the order
(no database), so arrival and "Try it" decide alike and tests need no orders."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_noop

from catalog.models import ProductType
from core.read_later import later
from storefronts.models import Store

from .models import Unmapped

# Words in the order's note that mark it urgent, as the buyer or the shop wrote them; the
# shop's tags are markers as they are. (docs/decisions.md, "Workflow rules")
NOTE_MARKERS = {"rush", "urgent", "priority", "express"}


def markers_of(tags=(), note=""):
    """The order's markers: its tags and the marker words of its note, in lower case."""
    words = set(re.findall(r"[a-z]+", note.lower()))
    found = {tag.strip().lower()[:50] for tag in tags if tag.strip()}
    return sorted(found | (words & NOTE_MARKERS))


@dataclass(frozen=True)
class OrderFacts:
    """What the rules may ask about an order. `item_count` counts pieces (quantities), not
    lines; `value` is the order's total in its own currency (None when the shop gave none)."""

    client_id: int
    store_id: int
    platform: str
    product_types: frozenset = field(default_factory=frozenset)
    product_uids: frozenset = field(default_factory=frozenset)
    country: str = ""
    item_count: int = 0
    value: Decimal | None = None
    has_unmapped: bool = False
    markers: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class Match:
    rule: object
    reasons: tuple

    @property
    def explanation(self):
        if self.rule.is_default:
            return later(gettext_noop("No rule above it matched, so the default rule applies."))
        if not self.reasons:
            return later(gettext_noop("The rule has no conditions: it matches every order."))
        # Translators: the reasons a workflow rule matched an order, "a; b; c", ending a sentence.
        return later(gettext_noop("%(reasons)s."), reasons=self.reasons)


def _range_words(low, high):
    if low is not None and high is not None:
        return later(gettext_noop("%(low)s to %(high)s"), low=low, high=high)
    if low is not None:
        return later(gettext_noop("at least %(low)s"), low=low)
    return later(gettext_noop("at most %(high)s"), high=high)


def _within(value, low, high):
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


def reasons_for(rule, facts):
    """Why the rule matches the order, one phrase per condition it sets; None if a condition
    fails (or the rule is off). The default rule matches with no reasons."""
    if rule.is_default:
        return ()
    if not rule.active:
        return None
    reasons = []
    if rule.client_id:
        if rule.client_id != facts.client_id:
            return None
        reasons.append(later(gettext_noop("client is %(client)s"), client=rule.client.name))
    if rule.store_id:
        if rule.store_id != facts.store_id:
            return None
        reasons.append(later(gettext_noop("store is %(store)s"), store=rule.store.name))
    if rule.platform:
        if rule.platform != facts.platform:
            return None
        reasons.append(
            later(gettext_noop("comes from %(platform)s"), platform=Store.Platform(rule.platform).label)
        )
    if rule.product_type:
        if rule.product_type not in facts.product_types:
            return None
        reasons.append(
            later(gettext_noop("has an item of type %(type)s"), type=ProductType(rule.product_type).label)
        )
    if rule.product_uid:
        uid = next((uid for uid in sorted(facts.product_uids) if uid.startswith(rule.product_uid)), None)
        if uid is None:
            return None
        reasons.append(later(gettext_noop("has an item with product UID %(uid)s"), uid=uid))
    if rule.countries:
        if facts.country not in rule.countries:
            return None
        reasons.append(later(gettext_noop("ships to %(country)s"), country=facts.country))
    if rule.min_items is not None or rule.max_items is not None:
        if not _within(facts.item_count, rule.min_items, rule.max_items):
            return None
        reasons.append(
            later(
                gettext_noop("%(count)s items (rule: %(range)s)"),
                count=facts.item_count,
                range=_range_words(rule.min_items, rule.max_items),
            )
        )
    if rule.min_value is not None or rule.max_value is not None:
        if not _within(facts.value, rule.min_value, rule.max_value):
            return None
        reasons.append(
            later(
                gettext_noop("order value %(value)s (rule: %(range)s)"),
                value=facts.value,
                range=_range_words(rule.min_value, rule.max_value),
            )
        )
    if rule.unmapped:
        if facts.has_unmapped != (rule.unmapped == Unmapped.YES):
            return None
        reasons.append(
            later(
                gettext_noop("has items not mapped yet")
                if facts.has_unmapped
                else gettext_noop("every item is mapped")
            )
        )
    if rule.marker:
        if rule.marker.lower() not in facts.markers:
            return None
        reasons.append(later(gettext_noop("marked “%(marker)s” by the shop"), marker=rule.marker.lower()))
    return tuple(reasons)


def first_match(rules, facts):
    """The first rule (in the given order, the default last) that matches, as a Match; None
    only when no rule matches and there is no default among them."""
    for rule in rules:
        reasons = reasons_for(rule, facts)
        if reasons is not None:
            return Match(rule, reasons)
    return None
