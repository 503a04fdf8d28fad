"""The matcher alone (no database): each condition matches and refuses, the first matching
rule wins, the default takes what no rule matched, and the explanation says why."""

from decimal import Decimal

import pytest

from connect.models import Client
from storefronts.models import Store
from workflows.matching import OrderFacts, first_match, markers_of, reasons_for
from workflows.models import Action, Rule, Unmapped

ACME, GLOBEX = Client(id=1, name="Acme"), Client(id=2, name="Globex")
ACME_SHOP = Store(id=10, client=ACME, name="Acme shop", platform=Store.Platform.SHOPIFY)


def facts(**fields):
    base = {
        "client_id": 1,
        "store_id": 10,
        "platform": Store.Platform.SHOPIFY,
        "product_types": frozenset({"poster"}),
        "product_uids": frozenset({"flat_product_pf_a4_pt_200-gsm"}),
        "country": "DE",
        "item_count": 3,
        "value": Decimal("40.00"),
        "has_unmapped": False,
        "markers": frozenset({"rush"}),
    }
    return OrderFacts(**{**base, **fields})


def rule(name="Rule", **fields):
    return Rule(name=name, **{"action": Action.STANDARD, **fields})


DEFAULT = Rule(name="Default", is_default=True, action=Action.STANDARD)

# (rule's conditions, facts that match, facts that do not, a word of the explanation)
CONDITIONS = [
    ({"client": ACME}, {}, {"client_id": 2}, "client is Acme"),
    ({"store": ACME_SHOP}, {}, {"store_id": 11}, "store is Acme shop"),
    ({"platform": "shopify"}, {}, {"platform": "etsy"}, "comes from Shopify"),
    ({"product_type": "poster"}, {}, {"product_types": frozenset({"mug"})}, "type Posters"),
    (
        {"product_uid": "flat_product_pf_a4"},
        {},
        {"product_uids": frozenset({"mug_11oz"})},
        "flat_product_pf_a4_pt",
    ),
    ({"countries": ["AT", "DE"]}, {}, {"country": "FR"}, "ships to DE"),
    ({"countries": ["DE"]}, {}, {"country": ""}, "ships to DE"),
    ({"min_items": 2, "max_items": 3}, {}, {"item_count": 4}, "3 items (rule: 2 to 3)"),
    ({"min_items": 5}, {"item_count": 5}, {"item_count": 4}, "at least 5"),
    ({"max_value": Decimal("50")}, {}, {"value": Decimal("50.01")}, "at most 50"),
    ({"min_value": Decimal("10")}, {}, {"value": None}, "order value 40.00"),
    ({"unmapped": Unmapped.YES}, {"has_unmapped": True}, {}, "not mapped yet"),
    ({"unmapped": Unmapped.NO}, {}, {"has_unmapped": True}, "every item is mapped"),
    ({"marker": "rush"}, {}, {"markers": frozenset({"vip"})}, "marked “rush”"),
]


@pytest.mark.parametrize(("conditions", "matching", "other", "words"), CONDITIONS)
def test_each_condition_matches_and_refuses(conditions, matching, other, words):
    tested = rule(**conditions)
    reasons = reasons_for(tested, facts(**matching))
    assert reasons is not None and words in "; ".join(reasons), reasons
    assert reasons_for(tested, facts(**other)) is None


def test_every_condition_must_hold():
    both = rule(client=ACME, countries=["DE"])
    assert reasons_for(both, facts()) == ("client is Acme", "ships to DE")
    assert reasons_for(both, facts(country="FR")) is None
    assert reasons_for(both, facts(client_id=2)) is None


def test_the_first_matching_rule_applies_and_the_default_takes_the_rest():
    germany = rule("Germany", countries=["DE"], action=Action.REVIEW, review_reason="Customs")
    rush = rule("Rush", marker="rush", action=Action.PRIORITY, priority="rush")
    off = rule("Switched off", active=False)  # would match everything
    rules = [off, germany, rush, DEFAULT]

    match = first_match(rules, facts())
    assert match.rule is germany and match.explanation == "ships to DE."
    match = first_match(rules, facts(country="FR"))
    assert match.rule is rush and "marked “rush”" in match.explanation
    match = first_match(rules, facts(country="FR", markers=frozenset()))
    assert match.rule is DEFAULT and "default" in match.explanation
    # Order decides: the same rules the other way round.
    assert first_match([rush, germany, DEFAULT], facts()).rule is rush


def test_a_rule_with_no_conditions_matches_everything_before_the_default():
    everything = rule("Everything")
    match = first_match([everything, DEFAULT], facts(client_id=99))
    assert match.rule is everything and "no conditions" in match.explanation


def test_markers_come_from_tags_and_the_note_s_marker_words():
    assert markers_of(("Rush ", "VIP", ""), "") == ["rush", "vip"]
    assert markers_of((), "URGENT, please: it is a gift") == ["urgent"]
    assert markers_of((), "Expressionism poster") == []  # whole words only
