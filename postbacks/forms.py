from datetime import timedelta
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import http

from .models import Endpoint, Event

OVERLAPS = [
    (0, _("None: the current secret stops signing now")),
    (1, _("1 hour")),
    (24, _("24 hours")),
    (72, _("3 days")),
    (168, _("7 days")),
]


class EndpointForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Send to"), choices=Endpoint.Kind.choices, initial=Endpoint.Kind.URL, widget=forms.RadioSelect
    )
    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        required=False,
        assume_scheme="https",
        help_text=_("Printfront POSTs each event here as signed JSON. It must be a public https address."),
    )
    email = forms.EmailField(label=_("Email address"), max_length=254, required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, endpoint=None, **kwargs):
        if endpoint is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": endpoint.kind,
                    "url": endpoint.url,
                    "email": endpoint.email,
                    "description": endpoint.description,
                    "events": endpoint.events,
                },
            )
        super().__init__(*args, **kwargs)
        self.endpoint = endpoint
        if endpoint is not None:  # what an endpoint is stays: make a new one instead
            del self.fields["kind"]
            del self.fields["email" if endpoint.kind == Endpoint.Kind.URL else "url"]

    def chosen_kind(self):
        return self.endpoint.kind if self.endpoint else self.cleaned_data.get("kind")

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not url:
            return url
        if urlsplit(url).scheme != "https" and not settings.SANDBOX_ENABLED:
            raise forms.ValidationError(_("Use an https address: postbacks are not sent over plain http."))
        try:
            http.check_url(url)
        except http.OutboundError as error:
            raise forms.ValidationError(str(error)) from None
        return url

    def clean(self):
        cleaned = super().clean()
        kind = self.chosen_kind()
        for needed, field, words in (
            (Endpoint.Kind.URL, "url", _("Give the URL to send postbacks to.")),
            (Endpoint.Kind.EMAIL, "email", _("Give the email address to send postbacks to.")),
        ):
            if (
                kind == needed
                and field in self.fields
                and not cleaned.get(field)
                and not self.has_error(field)
            ):
                self.add_error(field, words)
        return cleaned


class RotateForm(forms.Form):
    overlap = forms.TypedChoiceField(
        label=_("Keep the current secret signing too for"),
        choices=OVERLAPS,
        coerce=int,
        initial=24,
        help_text=_("While both sign, each postback carries two signatures: update your receiver meanwhile."),
    )

    def overlap_time(self):
        return timedelta(hours=self.cleaned_data["overlap"])
