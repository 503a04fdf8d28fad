"""The move form on Connect's order page: which items, to which status, and what the move needs
(a reason, or the carrier and tracking). orders.production.move_items judges the move itself."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemStatus
from .statuses import targets


def movable(items):
    """The items that can still move somewhere (not canceled, not returned)."""
    return [item for item in items if targets([item.status])]


class MoveForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Items"), error_messages={"required": _("Choose at least one item.")}
    )
    target = forms.ChoiceField(label=_("Move to"), choices=ItemStatus.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed for Failed, Returned and Canceled; kept in the order's history."),
    )
    carrier = forms.CharField(label=_("Carrier"), required=False, max_length=100)
    tracking_code = forms.CharField(label=_("Tracking code"), required=False, max_length=255)
    tracking_url = forms.URLField(
        label=_("Tracking URL"), required=False, max_length=2000, assume_scheme="https"
    )

    def __init__(self, order_items, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.movable = movable(order_items)
        self.fields["items"].choices = [(str(item.code), item.title) for item in self.movable]

    def chosen(self):
        """The movable items the form names: posted, or offered (a fresh form offers all)."""
        wanted = {str(code) for code in self["items"].value() or []}
        return [item for item in self.movable if str(item.code) in wanted]

    def targets(self):
        """The statuses every chosen item may move to, for the "Move to" choice."""
        statuses = [item.status for item in self.chosen()]
        return [(status, ItemStatus(status).label) for status in targets(statuses)] if statuses else []
