"""The rule form (staff): conditions, then the action and the one parameter it needs."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from connect.models import Client
from core.countries import CODES
from storefronts.forms import StoreChoice
from storefronts.models import Store

from .models import Action, ProductionLine, Rule

# The parameter each action needs, and the words asking for it.
NEEDS = {
    Action.REVIEW: ("review_reason", _("Say why orders are held (staff read it on the order).")),
    Action.ROUTE: ("production_line", _("Choose the production line.")),
    Action.PRIORITY: ("priority", _("Choose the priority.")),
    Action.NOTIFY: ("notify_email", _("Give the email address to notify.")),
}


class CountriesField(forms.CharField):
    """Two-letter ISO country codes, separated by commas or spaces ("DE, AT")."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        codes = [code.upper() for code in re.split(r"[\s,;]+", super().to_python(value)) if code]
        wrong = [code for code in codes if code not in CODES]  # else a rule that never matches
        if wrong:
            raise forms.ValidationError(
                _("Use ISO two-letter country codes (DE, FR, US): %(wrong)s is not one.")
                % {"wrong": ", ".join(wrong[:3])}
            )
        return sorted(set(codes))


class CodedChoices:
    """For ModelForms whose choices of objects are keyed by `code`: the saved rule's choice is
    shown chosen (a ModelForm's initial value is the object's id, which no option carries)."""

    coded = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.coded:
            chosen = getattr(self.instance, name, None)
            if chosen is not None:
                self.initial[name] = chosen.code


class ActionForm(CodedChoices, forms.ModelForm):
    """The action and its parameter: all the default rule lets staff change."""

    coded = ("production_line",)

    production_line = forms.ModelChoiceField(
        queryset=ProductionLine.objects.filter(active=True),
        required=False,
        to_field_name="code",
        label=_("Production line"),
    )

    class Meta:
        model = Rule
        fields = ["action", "review_reason", "production_line", "priority", "notify_email"]
        widgets = {"action": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        line = self.instance.production_line
        if line is not None and not line.active:  # a line switched off since stays choosable here
            self.fields["production_line"].queryset = ProductionLine.objects.filter(active=True) | (
                ProductionLine.objects.filter(pk=line.pk)
            )

    def clean(self):
        data = super().clean()
        action = data.get("action")
        needed = NEEDS.get(action)
        if needed and not data.get(needed[0]) and needed[0] not in self.errors:  # one error a field
            self.add_error(needed[0], needed[1])
        # Parameters of other actions are dropped, so the rule says only what it does.
        for other, (name, _words) in NEEDS.items():
            if other != action:
                data[name] = None if name == "production_line" else ""
        return data


class RuleForm(ActionForm):
    coded = ("production_line", "client", "store")
    client = forms.ModelChoiceField(
        queryset=Client.objects.order_by("name"),
        required=False,
        to_field_name="code",
        empty_label=_("Any client"),
        label=_("Client"),
    )
    store = StoreChoice(
        queryset=Store.objects.select_related("client").order_by("client__name", "name"),
        required=False,
        to_field_name="code",
        empty_label=_("Any store"),
        label=_("Store"),
    )
    countries = CountriesField(
        required=False,
        max_length=1000,
        label=_("Destination countries"),
        help_text=_("Two-letter codes, separated by commas: DE, AT, CH."),
    )

    class Meta(ActionForm.Meta):
        fields = [
            "name",
            "active",
            "client",
            "store",
            "platform",
            "product_type",
            "product_uid",
            "countries",
            "min_items",
            "max_items",
            "min_value",
            "max_value",
            "unmapped",
            "marker",
            *ActionForm.Meta.fields,
        ]
        help_texts = {
            "product_uid": _(
                "Matches an item whose product UID begins with this (a whole UID matches itself)."
            ),
            "min_items": _("Pieces in the order (the sum of the quantities)."),
            "min_value": _("The order's total, in the order's own currency."),
            "marker": _(
                "A tag of the order in the shop (such as rush), or one of the words rush, urgent, "
                "priority or express in its note."
            ),
        }

    def clean(self):
        data = super().clean()
        for low, high in (("min_items", "max_items"), ("min_value", "max_value")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, _("The upper bound is below the lower one."))
        client, store = data.get("client"), data.get("store")
        if client and store and store.client_id != client.pk:
            self.add_error("store", _("This store belongs to another client."))
        data["marker"] = (data.get("marker") or "").strip().lower()
        return data
