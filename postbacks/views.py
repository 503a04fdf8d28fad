"""Postback pages: Storefronts > Settings > Postbacks (client Admins) and a client's Postbacks
tab in Connect (staff). Both render through pages.py."""

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from connect.models import Client
from core.tenancy import Action, client_required, staff_required

from . import pages
from .models import Endpoint

SF = pages.STOREFRONTS
CN = pages.CONNECT
MANAGE = Action.MANAGE_POSTBACKS


def _deliveries(request):
    return pages.delivery_queryset()


# --- Storefronts: the request's own client -----------------------------------------------------


@client_required(MANAGE)
def endpoints(request):
    return pages.endpoints(request, SF, request.client)


@client_required(MANAGE)
def add(request):
    return pages.add(request, SF, request.client)


@client_required(MANAGE, load=Endpoint)
def endpoint(request, endpoint):
    return pages.endpoint(request, SF, endpoint)


@client_required(MANAGE, load=Endpoint)
@require_POST
def rotate(request, endpoint):
    return pages.rotate(request, SF, endpoint)


@client_required(MANAGE, load=Endpoint)
@require_POST
def toggle(request, endpoint):
    return pages.toggle(request, SF, endpoint)


@client_required(MANAGE, load=Endpoint)
@require_POST
def remove(request, endpoint):
    return pages.remove(request, SF, endpoint)


@client_required(MANAGE, load=Endpoint)
@require_POST
def test(request, endpoint):
    return pages.test(request, SF, endpoint)


@client_required(MANAGE, load=_deliveries)
def delivery(request, delivery):
    return pages.delivery(request, SF, delivery)


@client_required(MANAGE, load=_deliveries)
@require_POST
def resend(request, delivery):
    return pages.resend(request, SF, delivery)


# --- Connect: staff, for any client --------------------------------------------------------------


def _endpoint(code):
    return get_object_or_404(Endpoint.objects.select_related("client"), code=code)


def _delivery(code):
    return get_object_or_404(pages.delivery_queryset(), code=code)


@staff_required
def connect_endpoints(request, code):
    return pages.endpoints(request, CN, get_object_or_404(Client, code=code))


@staff_required
def connect_add(request, code):
    return pages.add(request, CN, get_object_or_404(Client, code=code))


@staff_required
def connect_endpoint(request, code):
    return pages.endpoint(request, CN, _endpoint(code))


@staff_required
@require_POST
def connect_rotate(request, code):
    return pages.rotate(request, CN, _endpoint(code))


@staff_required
@require_POST
def connect_toggle(request, code):
    return pages.toggle(request, CN, _endpoint(code))


@staff_required
@require_POST
def connect_remove(request, code):
    return pages.remove(request, CN, _endpoint(code))


@staff_required
@require_POST
def connect_test(request, code):
    return pages.test(request, CN, _endpoint(code))


@staff_required
def connect_delivery(request, code):
    return pages.delivery(request, CN, _delivery(code))


@staff_required
@require_POST
def connect_resend(request, code):
    return pages.resend(request, CN, _delivery(code))
