from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.listing import paginate
from core.models import AuditEvent, User
from core.tenancy import staff_required

from . import services
from .forms import (
    CLIENT_SORTS,
    ClientFilterForm,
    ClientForm,
    CorrectEmailForm,
    EnableAccessForm,
    StaffInviteForm,
)
from .models import Client, Invitation


def _get_client(code):
    return get_object_or_404(Client, code=code)


@staff_required
def clients(request):
    filters = ClientFilterForm(request.GET)
    filters.is_valid()
    query = filters.cleaned_data.get("q", "").strip()
    access = filters.cleaned_data.get("access")
    sort = filters.cleaned_data.get("sort") or "name"
    queryset = Client.objects.all()
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(reference_id__icontains=query))
    if access:
        queryset = queryset.filter(storefronts_enabled=access == "on")
    page, querystring = paginate(request, queryset.order_by(CLIENT_SORTS[sort][1], "id"))
    _attach_access_invitations(page.object_list)
    return render(
        request,
        "connect/clients.html",
        {
            "page": page,
            "querystring": querystring,
            "filters": filters,
            "searching": bool(query or access),
            "section": "clients",
        },
    )


def _attach_access_invitations(clients):
    """Give each client of a page its latest admin invitation, in one query, so the list can
    say Off, Invitation sent or Active as the client's own page does."""
    latest = {}
    for invitation in Invitation.objects.filter(kind=Invitation.Kind.ACCESS, client__in=clients).order_by(
        "created_at"
    ):
        latest[invitation.client_id] = invitation
    for client in clients:
        client.latest_access_invitation = latest.get(client.pk)


@staff_required
def client_create(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = services.create_client(request.user, **form.cleaned_data)
        messages.success(request, _("Client “%(name)s” created.") % {"name": client.name})
        return redirect("connect:client", code=client.code)
    return render(request, "connect/client_create.html", {"form": form, "section": "clients"})


@staff_required
def client_overview(request, code):
    client = _get_client(code)
    events, _querystring = paginate(request, AuditEvent.objects.filter(client=client), per_page=20)
    return render(
        request,
        "connect/client_overview.html",
        {
            "client": client,
            "section": "clients",
            "tab": "overview",
            "events": [(event, audit.describe(event)) for event in events],
            "events_page": events,
            "invitation": client.access_invitation(),
        },
    )


@staff_required
def client_stores(request, code):
    client = _get_client(code)
    page, querystring = paginate(request, client.stores.order_by("name", "id"))
    return render(
        request,
        "connect/client_stores.html",
        {
            "client": client,
            "section": "clients",
            "tab": "stores",
            "page": page,
            "querystring": querystring,
            "invitation": client.access_invitation(),
        },
    )


@staff_required
def client_settings(request, code):
    client = _get_client(code)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        services.update_client(request.user, client, **form.cleaned_data)
        messages.success(request, _("Client details saved."))
        return redirect("connect:client_settings", code=client.code)
    return _render_settings(request, client, details_form=form)


def _render_settings(request, client, *, details_form=None, access_form=None, email_form=None):
    invitation = client.access_invitation()
    needs_admin = not services.has_admin(client)
    initial = {}
    if invitation and invitation.state != Invitation.State.ACCEPTED:
        initial = {
            "email": invitation.email,
            "first_name": invitation.first_name,
            "last_name": invitation.last_name,
        }
    return render(
        request,
        "connect/client_settings.html",
        {
            "client": client,
            "section": "clients",
            "tab": "settings",
            "details_form": details_form or ClientForm(instance=client),
            "access_form": access_form or EnableAccessForm(initial=initial, needs_admin=needs_admin),
            "email_form": email_form or CorrectEmailForm(initial={"email": invitation and invitation.email}),
            "invitation": invitation,
            "needs_admin": needs_admin,
        },
    )


@staff_required
@require_POST
def client_access(request, code):
    client = _get_client(code)
    if request.POST.get("enabled") != "on":
        services.disable_access(request.user, client)
        messages.success(request, _("Storefronts access is off. The client's people are signed out."))
        return redirect("connect:client_settings", code=client.code)
    if client.storefronts_enabled:
        messages.info(request, _("Storefronts access is already on."))
        return redirect("connect:client_settings", code=client.code)
    needs_admin = not services.has_admin(client)
    form = EnableAccessForm(request.POST, needs_admin=needs_admin)
    if not form.is_valid():
        return _render_settings(request, client, access_form=form)
    invitation = services.enable_access(request.user, client, **form.cleaned_data)
    if invitation:
        messages.success(
            request,
            _("Storefronts access is on. An invitation is on its way to %(email)s.")
            % {"email": invitation.email},
        )
    else:
        messages.success(request, _("Storefronts access is on again."))
    return redirect("connect:client_settings", code=client.code)


@staff_required
@require_GET
def client_access_state(request, code):
    """The access badge (and, on the tab named by `tab`, the invitation's details) as they are
    now: what the client's pages ask for every few seconds while the invitation is sent."""
    client = _get_client(code)
    return render(
        request,
        "connect/access_state_update.html",
        {"client": client, "invitation": client.access_invitation(), "tab": request.GET.get("tab", "")},
    )


@staff_required
@require_POST
def invitation_resend(request, code):
    client = _get_client(code)
    invitation = client.access_invitation()
    if invitation is None or not client.storefronts_enabled:
        messages.error(request, _("There is no invitation to resend. Switch access on first."))
        return redirect("connect:client_settings", code=client.code)
    form = CorrectEmailForm(request.POST) if "email" in request.POST else None
    if form is not None and not form.is_valid():
        return _render_settings(request, client, email_form=form)
    try:
        invitation = services.resend_invitation(
            request.user, invitation, email=form and form.cleaned_data["email"]
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("A new invitation is on its way to %(email)s.") % {"email": invitation.email}
        )
    return redirect("connect:client_settings", code=client.code)


@staff_required
def staff(request):
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invite(request.user, kind=Invitation.Kind.STAFF, **form.cleaned_data)
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("connect:staff")
    return render(
        request,
        "connect/staff.html",
        {
            "form": form,
            "section": "staff",
            "members": User.objects.filter(is_staff=True, is_active=True).order_by("email"),
            "invitations": Invitation.objects.open().filter(kind=Invitation.Kind.STAFF),
        },
    )
