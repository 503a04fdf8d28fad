import uuid

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class CodedModel(models.Model):
    """A model addressed in URLs by a random UUID `code`, never by its integer id."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


def is_code(value):
    """Whether `value` reads as a code (a UUID): what to check before looking one up."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, *, email_verified=False, **fields):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        # allauth's record of the address; with ACCOUNT_MAX_EMAIL_ADDRESSES = 1 nobody can add
        # a second one and use it to claim someone else's invitation.
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person: printer staff (is_staff) or a member of one or more clients."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The language this person chose (a code of settings.LANGUAGES); empty: their browser's.
    language = models.CharField(_("language"), max_length=8, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self):
        return self.get_full_name() or self.email


class AuditEvent(models.Model):
    """Who changed what, and when. Written through core.audit.record only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    client = models.ForeignKey(
        "connect.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    verb = models.CharField(max_length=64)
    target = models.CharField(max_length=254, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "-at"])]

    def __str__(self):
        return f"{self.actor_label} {self.verb} {self.target}"
