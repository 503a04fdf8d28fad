import hashlib

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import CodedModel
from core.tenancy import Role

REFERENCE_ID_RULE = _("Letters, digits, dots, dashes and underscores; up to 64 characters.")
reference_id_validator = RegexValidator(r"^[A-Za-z0-9._-]{1,64}$", REFERENCE_ID_RULE)


class Client(CodedModel):
    """A printer's customer: the tenant. Everything a client's people see belongs to one."""

    name = models.CharField(_("name"), max_length=200)
    # NULL, not "", for "none": the unique constraint must allow many clients without one.
    reference_id = models.CharField(  # noqa: DJ001
        _("reference ID"),
        max_length=64,
        null=True,
        blank=True,
        validators=[reference_id_validator],
        help_text=REFERENCE_ID_RULE,
    )
    description = models.TextField(_("description"), blank=True)
    storefronts_enabled = models.BooleanField(_("Storefronts access"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "pk"

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("reference_id"), name="client_reference_id_unique_ci"),
        ]
        indexes = [models.Index(Lower("name"), name="client_name_lower")]

    def __str__(self):
        return self.name

    def access_invitation(self):
        """The latest invitation Connect sent for this client's first admin, if any."""
        return self.invitations.filter(kind=Invitation.Kind.ACCESS).order_by("-created_at").first()


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=Invitation.OPEN_STATES)

    def resendable(self):
        return self.filter(state__in=[*Invitation.OPEN_STATES, Invitation.State.EXPIRED])


class Invitation(CodedModel):
    """An emailed, single-use, expiring link to set a password and join. Stores only the
    token's hash: the token itself exists only in the email."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Client admin, from Connect")
        MEMBER = "member", _("Client user, from User management")
        STAFF = "staff", _("Printer staff")

    class State(models.TextChoices):
        PENDING = "pending", _("Sending")
        SENT = "sent", _("Invitation sent")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        FAILED = "failed", _("Could not be sent")

    OPEN_STATES = (State.PENDING, State.SENT, State.FAILED)

    kind = models.CharField(max_length=16, choices=Kind.choices)
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    # The inviter's language when inviting: the email's, until the invited person has their own.
    language = models.CharField(max_length=8, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvitationQuerySet.as_manager()
    tenant_path = "client"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="staff", client__isnull=True)
                | (~models.Q(kind="staff") & models.Q(client__isnull=False)),
                name="invitation_staff_has_no_client",
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_state_display()})"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def is_expired(self):
        return self.state == self.State.EXPIRED or (
            self.state == self.State.SENT and self.expires_at and self.expires_at <= timezone.now()
        )
