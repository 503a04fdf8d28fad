"""Changes to the workflow rules and production lines, each recorded in the audit log."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.read_later import later

from .models import Action, ProductionLine, Rule

# Kept as its source text, so it reads in each reader's language (core.read_later).
DEFAULT_NAME = later(gettext_noop("Default"))
ACTION_FIELDS = ["action", "review_reason", "production_line", "priority", "notify_email"]


def default_rule():
    """The default rule, made the first time it is asked for (standard handling)."""
    rule = Rule.objects.filter(is_default=True).first()
    if rule is not None:
        return rule
    try:
        with transaction.atomic():
            return Rule.objects.create(is_default=True, name=DEFAULT_NAME, action=Action.STANDARD)
    except IntegrityError:  # made meanwhile by another request
        return Rule.objects.get(is_default=True)


def rules_in_order():
    """Every rule in the order they are tried, the default last (matching.first_match's input).
    Only reads: before the default rule is first saved, an unsaved one with its first action
    stands in (default_rule makes it when an order needs it)."""
    rules = list(Rule.objects.select_related("client", "store", "production_line"))
    if not rules or not rules[-1].is_default:
        rules.append(Rule(is_default=True, name=DEFAULT_NAME, action=Action.STANDARD))
    return rules


def _audit(actor, verb, rule):
    audit.record(actor, verb, target=rule.name, data={"rule": str(rule.code), "position": rule.position})


def _lock_order():
    """Take turns at changing the rules' order: every writer of positions locks the default
    rule's row first (it always exists then), so two additions, or an addition and a move,
    never number from the same reading. FOR NO KEY UPDATE: orders arriving meanwhile, which
    link their rule (a key share lock), neither wait for it nor make it wait."""
    Rule.objects.select_for_update(no_key=True).filter(pk=default_rule().pk).get()


def create_rule(actor, **fields):
    with transaction.atomic():
        _lock_order()
        last = Rule.objects.filter(is_default=False).aggregate(last=Max("position"))["last"]
        rule = Rule.objects.create(position=(last or 0) + 1, **fields)
        _audit(actor, "workflow.rule_created", rule)
    return rule


def update_rule(actor, rule, **fields):
    """Save the rule's fields; the default rule keeps its name and has no conditions, so only
    its action changes. Only these fields are written: a move made meanwhile keeps its position."""
    if rule.is_default:
        fields = {name: value for name, value in fields.items() if name in ACTION_FIELDS}
    for name, value in fields.items():
        setattr(rule, name, value)
    with transaction.atomic():
        rule.save(update_fields=list(fields))
        _audit(actor, "workflow.rule_updated", rule)
    return rule


class RuleRefused(ValueError):
    """The change cannot be made; the message says why."""


def delete_rule(actor, rule):
    if rule.is_default:
        raise RuleRefused(
            _("The default rule cannot be deleted: it handles every order no other rule takes.")
        )
    with transaction.atomic():
        _audit(actor, "workflow.rule_deleted", rule)
        rule.delete()


def move_rule(actor, rule, up):
    """Swap the rule with the one before it (`up`) or after it; the default stays last.
    Returns whether it moved."""
    with transaction.atomic():
        _lock_order()
        rules = list(
            Rule.objects.select_for_update(no_key=True).filter(is_default=False).order_by("position", "id")
        )
        index = next((i for i, other in enumerate(rules) if other.pk == rule.pk), None)
        other = None if index is None else index + (-1 if up else 1)
        if other is None or not 0 <= other < len(rules):
            return False
        rules[index], rules[other] = rules[other], rules[index]
        for position, each in enumerate(rules, start=1):  # renumbered: ties and gaps go
            if each.position != position:
                each.position = position
                each.save(update_fields=["position"])
        moved = rules[other]
        _audit(actor, "workflow.rule_moved", moved)
    return True


def add_line(actor, name):
    with transaction.atomic():
        line = ProductionLine.objects.create(name=name)
        audit.record(actor, "workflow.line_added", target=line.name, data={"line": str(line.code)})
    return line


def set_line_active(actor, line, active):
    if not active and line.rules.filter(action=Action.ROUTE).exists():
        raise RuleRefused(
            _("Rules route orders to %(line)s: change them before switching it off.") % {"line": line.name}
        )
    with transaction.atomic():
        line.active = active
        line.save(update_fields=["active"])
        verb = "workflow.line_enabled" if active else "workflow.line_disabled"
        audit.record(actor, verb, target=line.name, data={"line": str(line.code)})
    return line
