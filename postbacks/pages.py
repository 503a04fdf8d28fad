"""The postback pages, shared by both sides: a client's Admins in Storefronts > Settings >
Postbacks, and staff on the client's page in Connect. The views (views.py) check who may come
and load what is theirs; these render and change it."""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core.listing import paginate

from . import services
from .forms import EndpointForm, RotateForm
from .models import Delivery, Endpoint


@dataclass(frozen=True)
class Side:
    """Where the pages are shown: their base template, and the URL names of their actions."""

    base: str
    prefix: str  # of the URL names: "" (Storefronts) or "connect_"
    nav: dict
    heading: str  # the page's heading level: under the client's own h1 in Connect

    def url(self, name, *args):
        return reverse(f"postbacks:{self.prefix}{name}", args=args)

    def list_url(self, client):
        return self.url("endpoints") if not self.prefix else self.url("endpoints", client.code)

    def context(self, client, **extra):
        names = ("endpoint", "rotate", "toggle", "remove", "test", "delivery", "resend")
        return {
            "base": self.base,
            "heading": self.heading,
            "staff": bool(self.prefix),
            "client": client,
            "urls": {name: f"postbacks:{self.prefix}{name}" for name in names},
            "list_url": self.list_url(client),
            "add_url": self.url("add") if not self.prefix else self.url("add", client.code),
            **self.nav,
            **extra,
        }


STOREFRONTS = Side("postbacks/storefronts_base.html", "", {"section": "postbacks"}, "h1")
CONNECT = Side("postbacks/connect_base.html", "connect_", {"section": "clients", "tab": "postbacks"}, "h2")


def endpoints(request, side, client):
    listed = Endpoint.objects.filter(client=client)
    return render(request, "postbacks/endpoints.html", side.context(client, endpoints=listed))


def add(request, side, client):
    """Add an endpoint; `?kind=email` for an email one (a URL one otherwise)."""
    kind = request.GET.get("kind")
    kind = kind if kind in Endpoint.Kind.values else Endpoint.Kind.URL
    form = EndpointForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = services.create_endpoint(request.user, client, kind=kind, **_fields(data))
        except services.EndpointRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Postback endpoint added."))
            if not secret:
                return redirect(side.url("endpoint", endpoint.code))
            return _show_secret(request, side, endpoint, secret)
    return render(request, "postbacks/endpoint_add.html", side.context(client, form=form, kind=kind))


def _fields(data):
    """What the endpoint form says, as the services take it (an endpoint has a URL or an email)."""
    return {
        "url": data.get("url", ""),
        "email": data.get("email", ""),
        "description": data["description"],
        "events": data["events"],
    }


def _show_secret(request, side, endpoint, secret):
    """The secret, once: it is never shown again (the page is the POST's answer, not a redirect),
    and no browser or proxy may keep a copy (the back button would show it again)."""
    response = render(
        request, "postbacks/secret.html", side.context(endpoint.client, endpoint=endpoint, secret=secret)
    )
    add_never_cache_headers(response)
    return response


def endpoint(request, side, endpoint):
    form = EndpointForm(request.POST or None, kind=endpoint.kind, endpoint=endpoint)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_endpoint(request.user, endpoint, **_fields(data))
        except services.EndpointRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Postback endpoint saved."))
            return redirect(side.url("endpoint", endpoint.code))
    # The log shows no payload: a page of them (an order's every item each) is left in the database.
    deliveries, querystring = paginate(request, endpoint.deliveries.defer("payload"))
    return render(
        request,
        "postbacks/endpoint.html",
        side.context(
            endpoint.client,
            endpoint=endpoint,
            form=form,
            rotate_form=RotateForm(),
            deliveries=deliveries,
            deliveries_querystring=querystring,
        ),
    )


def rotate(request, side, endpoint):
    form = RotateForm(request.POST)
    if endpoint.kind != Endpoint.Kind.URL or not form.is_valid():
        messages.error(request, _("Choose how long the current secret keeps signing."))
        return redirect(side.url("endpoint", endpoint.code))
    secret = services.rotate_secret(request.user, endpoint, form.overlap_time())
    endpoint.refresh_from_db()  # the page says until when the previous secret signs
    messages.success(request, _("New signing secret made."))
    return _show_secret(request, side, endpoint, secret)


def toggle(request, side, endpoint):
    if endpoint.enabled:
        services.disable(request.user, endpoint, _("Switched off by %(person)s.") % {"person": request.user})
        messages.success(request, _("Postback endpoint switched off: it gets no new postbacks."))
    else:
        services.enable(request.user, endpoint)
        messages.success(request, _("Postback endpoint switched on."))
    return redirect(side.url("endpoint", endpoint.code))


def remove(request, side, endpoint):
    client = endpoint.client
    services.remove(request.user, endpoint)
    messages.success(request, _("Postback endpoint removed."))
    return redirect(side.list_url(client))


def test(request, side, endpoint):
    if not endpoint.enabled:
        messages.error(request, _("Switch the endpoint on first: a switched-off endpoint is sent nothing."))
    elif services.send_test(request.user, endpoint) is None:
        messages.info(request, _("The last test postback is still on its way: see the log below."))
    else:
        messages.success(request, _("Test postback on its way: it shows in the log below."))
    return redirect(side.url("endpoint", endpoint.code))


# A round of attempts (sender.MAX_ATTEMPTS) fits a page; each "Resend" starts another round.
ATTEMPTS_PER_PAGE = 20


def delivery(request, side, delivery):
    endpoint = delivery.endpoint
    attempts, querystring = paginate(
        request, delivery.attempt_log.order_by("-started_at", "-id"), per_page=ATTEMPTS_PER_PAGE
    )
    return render(
        request,
        "postbacks/delivery.html",
        side.context(
            endpoint.client,
            endpoint=endpoint,
            delivery=delivery,
            attempts=attempts,
            attempts_querystring=querystring,
        ),
    )


def resend(request, side, delivery):
    if not services.resend(request.user, delivery):
        messages.info(request, _("That postback is still being sent."))
    elif not delivery.endpoint.enabled:
        messages.info(request, _("The postback will be sent again once the endpoint is switched on."))
    else:
        messages.success(request, _("Sending the postback again."))
    return redirect(side.url("endpoint", delivery.endpoint.code))


def delivery_queryset():
    return Delivery.objects.select_related("endpoint__client")
