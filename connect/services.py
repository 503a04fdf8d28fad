"""Connect's writes: clients, their Storefronts access, and invitations."""

import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from core import audit, emails
from core.tasks import LOST_AFTER, enqueue_on_commit
from core.tenancy import Role

from .models import Client, Invitation, hash_token


def create_client(actor, *, name, reference_id=None, description=""):
    client = Client.objects.create(name=name, reference_id=reference_id or None, description=description)
    audit.record(actor, "client.created", client=client, target=client.name)
    return client


def update_client(actor, client, *, name, reference_id=None, description=""):
    client.name, client.reference_id, client.description = name, reference_id or None, description
    client.save()
    audit.record(actor, "client.updated", client=client, target=client.name)
    return client


def has_admin(client):
    """Whether someone has already joined the client as Admin (Membership is Storefronts')."""
    return client.memberships.filter(role=Role.ADMIN).exists()


@transaction.atomic
def enable_access(actor, client, *, email=None, first_name="", last_name=""):
    """Switch Storefronts access on. While the client has no Admin this invites one;
    afterwards it restores access for the people the client already has."""
    client.storefronts_enabled = True
    client.save(update_fields=["storefronts_enabled", "updated_at"])
    audit.record(actor, "access.enabled", client=client)
    if has_admin(client):
        return None
    return invite(
        actor,
        kind=Invitation.Kind.ACCESS,
        client=client,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=Role.ADMIN,
    )


@transaction.atomic
def disable_access(actor, client):
    """Switch Storefronts access off: open links stop working and every session of the
    client's people ends on its next request (core.tenancy). No data is removed."""
    client.storefronts_enabled = False
    client.save(update_fields=["storefronts_enabled", "updated_at"])
    client.invitations.open().update(state=Invitation.State.REVOKED)
    audit.record(actor, "access.disabled", client=client)


def invite(actor, *, kind, email, first_name, last_name, client=None, role=""):
    invitation = Invitation.objects.create(
        kind=kind,
        client=client,
        email=email.lower(),
        first_name=first_name,
        last_name=last_name,
        role=role,
        invited_by=actor if actor and actor.pk else None,
        language=translation.get_language() or "",
    )
    verb = "staff.invited" if kind == Invitation.Kind.STAFF else "invitation.created"
    audit.record(actor, verb, client=client, target=invitation.email, data={"role": role})
    _enqueue_send(invitation)
    return invitation


@transaction.atomic
def resend_invitation(actor, invitation, *, email=None):
    """Send a fresh link (the old one stops working); optionally to a corrected address."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("client").get(pk=invitation.pk)
    )
    if invitation.state not in (*Invitation.OPEN_STATES, Invitation.State.EXPIRED):
        raise ValueError("Only an invitation that has not been accepted or revoked can be resent.")
    verb = "invitation.resent"
    if email and email.lower() != invitation.email:
        invitation.email = email.lower()
        verb = "invitation.email_corrected"
    invitation.state = Invitation.State.PENDING
    invitation.token_hash = ""
    invitation.attempts = 0
    invitation.last_error = ""
    invitation.save()
    audit.record(actor, verb, client=invitation.client, target=invitation.email)
    _enqueue_send(invitation)
    return invitation


def revoke_invitation(actor, invitation):
    """Cancel an open invitation; one accepted meanwhile stays accepted."""
    revoked = Invitation.objects.open().filter(pk=invitation.pk).update(state=Invitation.State.REVOKED)
    if revoked:
        audit.record(actor, "invitation.revoked", client=invitation.client, target=invitation.email)


def _enqueue_send(invitation):
    from .tasks import send_invitation  # tasks import this module

    enqueue_on_commit(send_invitation, invitation.id)


def retry_delay(attempts):
    """Seconds before the next try, doubling: 30 s, 1 min, 2 min, 4 min... by default."""
    return settings.INVITATION_RETRY_SECONDS * 2 ** max(attempts - 1, 0)


@transaction.atomic
def deliver_invitation(invitation_id):
    """Send a pending invitation with a new token; safe to call twice (only a pending one
    is sent). Returns the invitation, or None when there was nothing to send."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("client")
        .filter(id=invitation_id, state=Invitation.State.PENDING)
        .first()
    )
    if invitation is None:
        return None
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(hours=settings.INVITATION_TTL_HOURS)
    invitation.attempts += 1
    try:
        emails.send(
            "invitation",
            invitation.email,
            {
                "invitation": invitation,
                "link": settings.SITE_URL + reverse("accept_invitation", args=[token]),
                "expires_at": expires_at,
            },
            fallback_language=invitation.language,
        )
    except (OSError, smtplib.SMTPException) as exc:
        invitation.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if invitation.attempts >= settings.INVITATION_SEND_ATTEMPTS:
            invitation.state = Invitation.State.FAILED
    else:
        invitation.state = Invitation.State.SENT
        invitation.token_hash = hash_token(token)
        invitation.expires_at = expires_at
        invitation.sent_at = timezone.now()
        invitation.last_error = ""
    invitation.save()
    return invitation


def find_invitation(token):
    """The invitation a link's token belongs to, or None for an unknown or tampered token."""
    if not token:
        return None
    return Invitation.objects.select_related("client").filter(token_hash=hash_token(token)).first()


def expire_invitations():
    return Invitation.objects.filter(state=Invitation.State.SENT, expires_at__lte=timezone.now()).update(
        state=Invitation.State.EXPIRED
    )


def pending_invitations_to_requeue(lost_after=LOST_AFTER):
    """Pending invitations whose next try is overdue by `lost_after`: saved while the broker was
    down, or whose retry was lost with it. One still waiting for its scheduled retry is left
    alone, so the sweep never adds a try of its own."""
    now = timezone.now()
    waiting = Invitation.objects.filter(
        state=Invitation.State.PENDING, updated_at__lte=now - lost_after
    ).values_list("id", "attempts", "updated_at")
    return [
        invitation_id
        for invitation_id, attempts, updated_at in waiting
        if updated_at + timedelta(seconds=retry_delay(attempts) if attempts else 0) + lost_after <= now
    ]
