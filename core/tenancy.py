"""The tenant boundary: the only place that decides which client and role a request acts as.

`request.client` and `request.membership` come from the signed-in user's memberships, never
from a URL or a form. Client-owned objects are loaded through `scoped()` / `get_or_404()`,
which answer 404 for "missing" and "not yours" alike. What each role may do is one table,
ROLE_ACTIONS, checked server-side by `client_required(action)` on every Storefronts view.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

SESSION_CLIENT_KEY = "active_client"


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    STORE_MANAGER = "store_manager", _("Store Manager")
    ORDER_MANAGER = "order_manager", _("Order Manager")
    VIEWER = "viewer", _("View only")


class Action(models.TextChoices):
    VIEW_DASHBOARD = "dashboard.view", _("See the dashboard")
    VIEW_CATALOG = "catalog.view", _("See the printer's catalog")
    VIEW_STORES = "stores.view", _("See stores")
    MANAGE_STORES = "stores.manage", _("Connect and change stores")
    VIEW_PRODUCTS = "products.view", _("See products")
    MANAGE_PRODUCTS = "products.manage", _("Map and publish products")
    VIEW_ORDERS = "orders.view", _("See orders")
    MANAGE_ORDERS = "orders.manage", _("Place and change orders")
    MANAGE_USERS = "users.manage", _("Manage users")
    MANAGE_POSTBACKS = "postbacks.manage", _("Set up postbacks (order events sent to your systems)")


_VIEW_ALL = {
    Action.VIEW_DASHBOARD,
    Action.VIEW_CATALOG,
    Action.VIEW_STORES,
    Action.VIEW_PRODUCTS,
    Action.VIEW_ORDERS,
}

# The one role table. Store Managers' store and product actions are further limited to the
# stores assigned to them (see `scoped`).
ROLE_ACTIONS = {
    Role.ADMIN: frozenset(Action),
    Role.STORE_MANAGER: frozenset(
        {
            Action.VIEW_DASHBOARD,
            Action.VIEW_CATALOG,
            Action.VIEW_STORES,
            Action.MANAGE_STORES,
            Action.VIEW_PRODUCTS,
            Action.MANAGE_PRODUCTS,
        }
    ),
    # Order Managers read the catalog for the UIDs of manually placed orders.
    Role.ORDER_MANAGER: frozenset(
        {Action.VIEW_DASHBOARD, Action.VIEW_CATALOG, Action.VIEW_ORDERS, Action.MANAGE_ORDERS}
    ),
    Role.VIEWER: frozenset(_VIEW_ALL),
}


def role_can(role, action):
    """`action` may be a tuple of actions: any one of them will do (a page two roles share
    for different reasons, such as placing a test order: store people and order people)."""
    allowed = ROLE_ACTIONS.get(role, ())
    if isinstance(action, tuple):
        return any(one in allowed for one in action)
    return action in allowed


def active_memberships(user):
    """The user's memberships in clients whose Storefronts access is on, by client name."""
    if not user.is_authenticated:
        return []
    return list(
        user.memberships.filter(client__storefronts_enabled=True)
        .select_related("client")
        .order_by("client__name")
    )


class TenancyMiddleware:
    """Resolves request.membership and request.client once per request.

    A signed-in person who is neither staff nor a member of any client with access on is
    signed out at once: this is how switching access off, or removing a user, ends their
    sessions everywhere. Views marked `open_without_membership` (accepting an invitation, the
    way back in for such a person) are the exception.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.client = None
        request.memberships = []
        user = request.user
        if user.is_authenticated:
            request.memberships = active_memberships(user)
            chosen = request.session.get(SESSION_CLIENT_KEY)
            request.membership = next(
                (m for m in request.memberships if str(m.client.code) == chosen),
                request.memberships[0] if request.memberships else None,
            )
            if request.membership:
                request.client = request.membership.client
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        user = request.user
        if user.is_authenticated and not user.is_staff and not request.memberships:
            if getattr(view, "open_without_membership", False):
                return None
            logout(request)
            messages.warning(request, _("Your access to Storefronts has ended."))
            return redirect_to_login(request.get_full_path())
        return None


def open_without_membership(view):
    """Let people whose access has ended reach this view signed in (to accept a new invitation)."""
    view.open_without_membership = True
    return view


def remember_client(request, client):
    """Make `client` the one this session works in; callers pass one of the user's clients."""
    request.session[SESSION_CLIENT_KEY] = str(client.code)


def membership_in(request, client_code):
    """The user's membership in the client with this code; 404 for any other client."""
    for membership in request.memberships:
        if str(membership.client.code) == str(client_code):
            return membership
    raise Http404


def staff_required(view):
    """Connect views: printer staff only. Client users get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def client_required(action, load=None):
    """Storefronts views: a member of an active client whose role allows `action`.

    With `load` (a client-owned model, or a function of the request returning a queryset),
    the URL's `code` is loaded first and passed to the view in its place: what is not the
    client's is a 404 for every role, before the role is checked.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.membership is None:
                if request.user.is_staff:
                    return redirect("connect:clients")
                raise PermissionDenied
            if load is not None:
                source = load if isinstance(load, type) else load(request)
                args = (get_or_404(request, source, code=kwargs.pop("code")), *args)
            if not role_can(request.membership.role, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_action = action
        return wrapper

    return decorator


def scoped(request, model_or_queryset):
    """The rows of a client-owned model that this request may see.

    The model names the path to its client (`tenant_path`) and, where it belongs to a
    store, the path to that store (`store_path`), which limits Store Managers.
    """
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    model = queryset.model
    if request.client is None:
        return queryset.none()
    queryset = queryset.filter(**{model.tenant_path: request.client})
    store_path = getattr(model, "store_path", None)
    if store_path and request.membership.role == Role.STORE_MANAGER:
        queryset = queryset.filter(**{f"{store_path}__in": request.membership.stores.all()})
    return queryset


def get_or_404(request, model_or_queryset, **lookup):
    """One client-owned object, or 404 when it is missing or belongs to someone else."""
    queryset = scoped(request, model_or_queryset)
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
