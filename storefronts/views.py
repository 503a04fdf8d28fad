from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from connect import services as connect_services
from connect.models import Invitation
from core.models import User
from core.tenancy import (
    Action,
    Role,
    client_required,
    membership_in,
    open_without_membership,
    remember_client,
    scoped,
)

from . import services
from .forms import AcceptInvitationForm, AddUserForm, MemberForm
from .models import Membership, Store

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


@client_required(Action.VIEW_DASHBOARD)
def dashboard(request):
    return render(
        request,
        "storefronts/dashboard.html",
        {"stores": scoped(request, Store), "section": "dashboard"},
    )


@client_required(Action.VIEW_DASHBOARD)
def switch(request, code):
    membership = membership_in(request, code)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    remember_client(request, membership.client)
    messages.success(request, _("You are now working in %(client)s.") % {"client": membership.client.name})
    return redirect("storefronts:dashboard")


def _member_invitations(request):
    return scoped(
        request, Invitation.objects.filter(kind__in=[Invitation.Kind.ACCESS, Invitation.Kind.MEMBER])
    )


@client_required(Action.MANAGE_USERS)
def users(request):
    members = list(scoped(request, Membership).select_related("user").prefetch_related("stores"))
    admins = [membership for membership in members if membership.role == Role.ADMIN]
    return render(
        request,
        "storefronts/users.html",
        {
            "members": members,
            # The one Admin cannot be removed (services refuse it); the page says so up front.
            "sole_admin": admins[0] if len(admins) == 1 else None,
            "invitations": _open_invitations(request),
            "section": "settings",
        },
    )


@client_required(Action.MANAGE_USERS)
def user_add(request):
    form = AddUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(request.user, request.client, **form.cleaned_data)
        except services.MembershipError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("storefronts:users")
    return render(request, "storefronts/user_add.html", {"form": form, "section": "settings"})


@client_required(Action.MANAGE_USERS, load=Membership)
def member(request, membership):
    stores = scoped(request, Store)
    form = MemberForm(
        request.POST or None,
        stores=stores,
        initial={"role": membership.role, "stores": membership.stores.all()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_role(
                request.user, membership, form.cleaned_data["role"], form.cleaned_data["stores"]
            )
        except services.MembershipError as error:
            form.add_error("role", str(error))
        else:
            messages.success(request, _("Saved %(name)s's access.") % {"name": membership.user})
            return redirect("storefronts:users")
    return render(
        request,
        "storefronts/member.html",
        {
            "membership": membership,
            "form": form,
            "has_stores": stores.exists(),
            "section": "settings",
            "store_manager": Role.STORE_MANAGER,
        },
    )


@client_required(Action.MANAGE_USERS, load=Membership)
@require_POST
def member_remove(request, membership):
    try:
        services.remove_member(request.user, membership)
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s no longer has access.") % {"name": membership.user})
    return redirect("storefronts:users")


def _resendable_invitations(request):
    return _member_invitations(request).resendable()


def _open_invitations(request):
    return _member_invitations(request).open()


@client_required(Action.MANAGE_USERS, load=_member_invitations)
@require_GET
def invitation_row(request, invitation):
    """One invitation's row as it is now: what User management asks for every few seconds
    while the invitation is being sent."""
    return render(request, "storefronts/invitation_row.html", {"invitation": invitation})


@client_required(Action.MANAGE_USERS, load=_resendable_invitations)
@require_POST
def invitation_resend(request, invitation):
    try:
        invitation = connect_services.resend_invitation(request.user, invitation)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("A new invitation is on its way to %(email)s.") % {"email": invitation.email}
        )
    return redirect("storefronts:users")


@client_required(Action.MANAGE_USERS, load=_open_invitations)
@require_POST
def invitation_cancel(request, invitation):
    connect_services.revoke_invitation(request.user, invitation)
    messages.success(request, _("The invitation to %(email)s is cancelled.") % {"email": invitation.email})
    return redirect("storefronts:users")


@open_without_membership
def accept_invitation(request, token):
    """The link from an invitation email: set a password (or sign in) and join."""
    invitation = connect_services.find_invitation(token)
    problem = services.invitation_problem(invitation)
    if problem:
        return render(
            request,
            "storefronts/invitation_invalid.html",
            {"problem": problem},
            status=410 if invitation else 404,
        )
    existing = User.objects.filter(email__iexact=invitation.email).first()
    context = {"invitation": invitation, "existing": existing}
    signed_in_as_other = request.user.is_authenticated and request.user != existing
    if signed_in_as_other or (existing and not request.user.is_authenticated):
        return render(request, "storefronts/invitation_sign_in.html", context)
    form = (
        None
        if existing
        else AcceptInvitationForm(
            request.POST or None,
            email=invitation.email,
            initial={"first_name": invitation.first_name, "last_name": invitation.last_name},
        )
    )
    if request.method == "POST" and (form is None or form.is_valid()):
        details = {}
        if form is not None:
            details = {
                "password": form.cleaned_data["password1"],
                "first_name": form.cleaned_data["first_name"],
                "last_name": form.cleaned_data["last_name"],
                # What they read the page in (their browser's or their switch's) is their language.
                "language": translation.get_language(),
            }
        try:
            user = services.accept_invitation(invitation, user=existing, **details)
        except services.MembershipError:
            return render(request, "storefronts/invitation_invalid.html", {"problem": "invalid"}, status=410)
        if existing is None:
            login(request, user, backend=AUTH_BACKEND)
        if invitation.client:
            remember_client(request, invitation.client)
            messages.success(request, _("Welcome to %(client)s.") % {"client": invitation.client.name})
            return redirect("storefronts:dashboard")
        messages.success(request, _("Welcome to the team."))
        return redirect("connect:clients")
    context["form"] = form
    return render(request, "storefronts/invitation_accept.html", context)
