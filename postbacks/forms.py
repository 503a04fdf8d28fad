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
    """A URL endpoint's or an email endpoint's settings (`kind`: what it is, which stays)."""

    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        help_text=_("Printfront POSTs each event here as signed JSON. It must be a public https address."),
    )
    email = forms.EmailField(
        label=_("Email address"), max_length=254, help_text=_("Each event is emailed here, with its JSON.")
    )
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False, help_text=_("What it is, for you.")
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, kind, endpoint=None, **kwargs):
        if endpoint is not None:
            kwargs.setdefault(
                "initial",
                {
                    "url": endpoint.url,
                    "email": endpoint.email,
                    "description": endpoint.description,
                    "events": endpoint.events,
                },
            )
        super().__init__(*args, **kwargs)
        del self.fields["email" if kind == Endpoint.Kind.URL else "url"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if urlsplit(url).scheme != "https" and not settings.SANDBOX_ENABLED:
            raise forms.ValidationError(_("Use an https address: postbacks are not sent over plain http."))
        try:
            http.check_url(url)
        except http.OutboundError as error:
            raise forms.ValidationError(str(error)) from None
        return url


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
