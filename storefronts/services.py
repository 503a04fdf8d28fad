"""Storefronts' writes: joining by invitation, and a client's users and their roles."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connect import services as connect_services
from connect.models import Client, Invitation
from core import audit
from core.i18n import is_supported
from core.models import User
from core.tenancy import Role

from .models import Membership, Store


class MembershipError(Exception):
    """A change to a client's users that the rules refuse; the message is for the person."""


def invitation_problem(invitation):
    """Why this invitation's link cannot be used, or None when it can."""
    if invitation is None:
        return "invalid"
    if invitation.state == Invitation.State.ACCEPTED:
        return "used"
    if invitation.state == Invitation.State.REVOKED:
        return "revoked"
    if invitation.is_expired():
        return "expired"
    if invitation.state != Invitation.State.SENT:
        return "invalid"
    if invitation.client is not None and not invitation.client.storefronts_enabled:
        return "revoked"
    return None


@transaction.atomic
def accept_invitation(invitation, *, user=None, password=None, first_name="", last_name="", language=""):
    """Join the invitation's client (or the printer's staff). With no `user`, creates the
    account with `password`. Raises MembershipError if the link stopped working meanwhile."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("client").get(pk=invitation.pk)
    )
    if invitation_problem(invitation):
        raise MembershipError(_("This invitation can no longer be used."))
    if user is None:
        # Opening the emailed link proves the address.
        user = User.objects.create_user(
            invitation.email,
            password,
            email_verified=True,
            first_name=first_name,
            last_name=last_name,
            language=language if is_supported(language) else invitation.language,
        )
    if invitation.kind == Invitation.Kind.STAFF:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    else:
        # Someone already in the client keeps their role: roles change in User management.
        Membership.objects.get_or_create(
            user=user, client=invitation.client, defaults={"role": invitation.role}
        )
    invitation.state = Invitation.State.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["state", "accepted_at", "updated_at"])
    audit.record(user, "invitation.accepted", client=invitation.client, target=user.email)
    return user


def invite_member(actor, client, *, email, first_name, last_name, role):
    email = email.lower()
    if Membership.objects.filter(client=client, user__email__iexact=email).exists():
        raise MembershipError(_("%(email)s is already a user of this client.") % {"email": email})
    if client.invitations.open().filter(email=email).exists():
        raise MembershipError(
            _("%(email)s already has an open invitation; resend it from the list.") % {"email": email}
        )
    with transaction.atomic():
        return connect_services.invite(
            actor,
            kind=Invitation.Kind.MEMBER,
            client=client,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
        )


def _lock_admins(client):
    return list(Membership.objects.select_for_update().filter(client=client, role=Role.ADMIN))


def _refuse_if_last_admin(membership):
    if membership.role == Role.ADMIN and len(_lock_admins(membership.client)) <= 1:
        raise MembershipError(_("A client needs at least one Admin: make someone else Admin first."))


@transaction.atomic
def change_role(actor, membership, role, stores=()):
    """Set a member's role and, for Store Managers, the stores they manage."""
    if role != membership.role:
        _refuse_if_last_admin(membership)
        old_role = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(
            actor,
            "member.role_changed",
            client=membership.client,
            target=membership.user.email,
            data={"from": old_role, "to": role},
        )
    stores = list(stores) if role == Role.STORE_MANAGER else []
    if set(stores) != set(membership.stores.all()):
        membership.stores.set(stores)
        audit.record(
            actor,
            "member.stores_changed",
            client=membership.client,
            target=membership.user.email,
            data={"stores": [str(store.code) for store in stores]},
        )
    return membership


@transaction.atomic
def remove_member(actor, membership):
    """Remove a person from a client. Their sessions for it end on their next request."""
    _refuse_if_last_admin(membership)
    membership.delete()
    audit.record(actor, "member.removed", client=membership.client, target=membership.user.email)


class StoreError(Exception):
    """A store that cannot be connected; the message is for the person."""


ALREADY_CONNECTED = gettext_lazy("This shop is already connected to Printfront by another account.")


class StoreNameTaken(StoreError):
    """Another store of the client already has this name (ignoring case)."""

    def __init__(self, name):
        super().__init__(
            _("Your company already has a store named “%(name)s”: choose another name.") % {"name": name}
        )


def _lock_store_names(client):
    """Hold the client's row until commit: two requests cannot both find the same name free."""
    Client.objects.select_for_update().only("pk").get(pk=client.pk)


def store_name_taken(client, name, *, exclude=None):
    """Whether another store of the client has this name; compared as the constraint does."""
    same = Store.objects.alias(lower_name=Lower("name")).filter(client=client, lower_name=Lower(Value(name)))
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    return same.exists()


def free_store_name(client, name):
    """`name`, or the first of "name (2)", "name (3)"… that no store of the client has: for
    names a platform gives (two shops may both be called "Demo Apparel Co.")."""
    candidate, number = name, 1
    while store_name_taken(client, candidate):
        number += 1
        suffix = f" ({number})"
        candidate = name[: Store.NAME_MAX_LENGTH - len(suffix)] + suffix
    return candidate


def connect_store(actor, membership, *, platform, name, shop_identity, number_taken_name=False, **connection):
    """Connect a platform shop: a new store, or the client's existing one for the same shop
    (reconnecting keeps all its data). Refused as check_can_connect says. `number_taken_name`:
    the name is the platform's, so a taken one is numbered rather than refused."""
    try:
        with transaction.atomic():
            return _connect_store(
                actor,
                membership,
                platform,
                name,
                shop_identity,
                connection,
                number_taken_name=number_taken_name,
            )
    except IntegrityError:  # a write at the same moment elsewhere (databases without row locks)
        connected_elsewhere = (
            Store.objects.filter(platform=platform, shop_identity=shop_identity)
            .exclude(state=Store.State.DISCONNECTED)
            .exists()
        )
        if connected_elsewhere:
            raise StoreError(str(ALREADY_CONNECTED)) from None
        raise StoreError(_("Your stores changed at the same moment elsewhere: try again.")) from None


def check_can_connect(membership, platform, shop_identity, *, lock=False):
    """Raise StoreError if this member may not connect the shop: another client has it
    connected, or it is their own client's store and they are a Store Manager not assigned to
    it. Connect pages ask this as soon as they know the shop, before anything that would
    change the connection at the platform (a new token revokes the one the store holds).
    Returns the client's existing store for the shop, if any."""
    same_shop = Store.objects.filter(platform=platform, shop_identity=shop_identity)
    if lock:
        same_shop = same_shop.select_for_update()
    if same_shop.exclude(client=membership.client).exclude(state=Store.State.DISCONNECTED).exists():
        raise StoreError(str(ALREADY_CONNECTED))
    store = same_shop.filter(client=membership.client).first()
    if (
        store is not None
        and membership.role == Role.STORE_MANAGER
        and not membership.stores.filter(pk=store.pk).exists()
    ):
        raise StoreError(_("Your company already has this shop as a store that is not assigned to you."))
    return store


def _connect_store(actor, membership, platform, name, shop_identity, connection, *, number_taken_name):
    store = check_can_connect(membership, platform, shop_identity, lock=True)
    if store is None:
        return create_store(
            actor,
            membership,
            platform=platform,
            name=name,
            shop_identity=shop_identity,
            number_taken_name=number_taken_name,
            **connection,
        )
    for attribute, value in connection.items():
        setattr(store, attribute, value)
    store.state, store.state_reason, store.connected_at = Store.State.CONNECTED, "", timezone.now()
    store.trouble_since = None
    store.save()
    audit.record(
        actor, "store.reconnected", client=store.client, target=store.name, data={"platform": platform}
    )
    return store


@transaction.atomic
def create_store(actor, membership, *, platform, name, number_taken_name=False, **connection):
    """A newly connected store. A Store Manager who connects one manages it from then on.
    A name another store of the client has is refused (StoreNameTaken), or, for a name the
    platform gave (`number_taken_name`), numbered: "Demo Apparel Co. (2)"."""
    _lock_store_names(membership.client)
    if number_taken_name:
        name = free_store_name(membership.client, name)
    elif store_name_taken(membership.client, name):
        raise StoreNameTaken(name)
    store = Store.objects.create(
        client=membership.client, platform=platform, name=name, connected_at=timezone.now(), **connection
    )
    if membership.role == Role.STORE_MANAGER:
        membership.stores.add(store)
    audit.record(
        actor, "store.connected", client=store.client, target=store.name, data={"platform": platform}
    )
    return store


@transaction.atomic
def rename_store(actor, store, name):
    """Give a store another name, unless another store of the client has it."""
    _lock_store_names(store.client)
    if store_name_taken(store.client, name, exclude=store):
        raise StoreNameTaken(name)
    old_name, store.name = store.name, name
    store.save(update_fields=["name", "updated_at"])
    audit.record(actor, "store.renamed", client=store.client, target=name, data={"from": old_name})
    return store


def why_not_removable(store):
    """Why the store cannot be removed, or None: platform stores are disconnected instead,
    which keeps their data for a reconnection."""
    if store.platform != Store.Platform.MANUAL:
        return _("Only manual stores can be removed. Disconnect this store instead.")
    return None


@transaction.atomic
def remove_store(actor, store):
    """Delete a manual store, with its Store Manager assignments; the audit log keeps its name."""
    problem = why_not_removable(store)
    if problem:
        raise StoreError(problem)
    store.delete()
    audit.record(actor, "store.removed", client=store.client, target=store.name)


def disconnect_store(actor, store, reason="", *, keep_credentials=False):
    """Stop talking to the platform and forget the credentials; the store's data stays, and
    connecting the same shop again brings it back. `keep_credentials` keeps them for the
    clean-up that still needs them (unregistering webhooks), which then calls forget_credentials."""
    store.state, store.state_reason = Store.State.DISCONNECTED, reason
    store.trouble_since = store.check_requested_at = None
    if not keep_credentials:
        store.credentials = None
    store.save()
    audit.record(actor, "store.disconnected", client=store.client, target=store.name)


def forget_credentials(store_id):
    """Drop a disconnected store's credentials once its clean-up is done. A store connected
    again meanwhile keeps its new ones."""
    Store.objects.filter(id=store_id, state=Store.State.DISCONNECTED).update(
        credentials=None, updated_at=timezone.now()
    )


# How long a platform may stay busy or unreachable before its store shows as failing.
TROUBLE_TOLERANCE = timedelta(minutes=30)


def request_connection_check(actor, store):
    """Someone asked to check the connection again; the worker answers (record_connection_check)."""
    store.check_requested_at = timezone.now()
    store.save(update_fields=["check_requested_at", "updated_at"])
    audit.record(actor, "store.verified", client=store.client, target=store.name)


def record_connection_check(actor, store, problem, *, transient=False):
    """The outcome of checking a store's connection: connected, or failing and why. A transient
    problem (the platform busy or not answering) keeps the store as it is, unless the trouble has
    lasted TROUBLE_TOLERANCE; a refused credential makes it failing at once."""
    before = store.state
    now = timezone.now()
    if not problem:
        store.state, store.state_reason, store.trouble_since = Store.State.CONNECTED, "", None
    elif not transient:
        store.state, store.state_reason, store.trouble_since = Store.State.FAILING, problem, None
    else:
        store.trouble_since = store.trouble_since or now
        if now - store.trouble_since >= TROUBLE_TOLERANCE:
            store.state = Store.State.FAILING
            store.state_reason = _("%(problem)s This has lasted since %(since)s.") % {
                "problem": problem,
                "since": date_format(timezone.localtime(store.trouble_since), "DATETIME_FORMAT"),
            }
        elif store.state == Store.State.CONNECTED:
            # Still connected: the reason says why the data may lag behind.
            store.state_reason = problem
    store.check_requested_at = None
    # Saved only if nobody disconnected or connected the store again while the platform was
    # being asked: the outcome is about the connection that was checked.
    saved = (
        Store.objects.filter(pk=store.pk, connected_at=store.connected_at)
        .exclude(state=Store.State.DISCONNECTED)
        .update(
            state=store.state,
            state_reason=store.state_reason,
            trouble_since=store.trouble_since,
            check_requested_at=None,
            updated_at=now,
        )
    )
    if saved and store.state != before:
        audit.record(
            actor, "store.verified", client=store.client, target=store.name, data={"problem": problem or ""}
        )


def save_credentials(store, credentials):
    """Renewed credentials (a refreshed token, a rotated refresh token), saved at once."""
    store.credentials = credentials
    store.save(update_fields=["credentials", "updated_at"])
