from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.fields import SetPasswordField
from django.contrib.auth import password_validation
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core import audit
from core.i18n import is_supported, recipient_language
from core.tasks import enqueue_on_commit, send_rendered_email


def remember_language(user, code):
    """Keep `code` as the person's language, for every device they sign in on."""
    if not is_supported(code) or user.language == code:
        return
    user.language = code
    user.save(update_fields=["language"])
    audit.record(user, "account.language_changed", target=code)


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation only; staff land in Connect, client people in Storefronts."""

    def is_open_for_signup(self, request):
        return False

    def login(self, request, user):
        """From the moment of sign-in, this person's own language (also for the "Signed in"
        message rendered in this very request)."""
        super().login(request, user)
        if is_supported(user.language):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language

    def get_login_redirect_url(self, request):
        if request.user.is_staff:
            return reverse("connect:clients")
        return reverse("storefronts:dashboard")

    def send_mail(self, template_prefix, email, context):
        """allauth's emails are rendered here and sent by the worker."""
        with translation.override(recipient_language(email, translation.get_language())):
            message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            None,
        )
        enqueue_on_commit(
            send_rendered_email, message.subject, message.body, message.to, message.from_email, html
        )


class SentenceCaseLabels:
    """allauth labels its fields in Title Case ("New Password (again)"); Printfront's pages
    are in sentence case. `labels` names the fields to relabel."""

    labels = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            if name in self.fields:
                self.fields[name].label = label
        for field in self.fields.values():
            if isinstance(field, SetPasswordField):
                # allauth reads the password rules once, at import: read them in this
                # request's language instead.
                field.help_text = password_validation.password_validators_help_text_html()


class LoginForm(SentenceCaseLabels, allauth_forms.LoginForm):
    labels = {"remember": _("Remember me")}


class ChangePasswordForm(SentenceCaseLabels, allauth_forms.ChangePasswordForm):
    labels = {
        "oldpassword": _("Current password"),
        "password1": _("New password"),
        "password2": _("New password again"),
    }


class SetPasswordForm(SentenceCaseLabels, allauth_forms.SetPasswordForm):
    labels = {"password2": _("Password again")}


class ResetPasswordKeyForm(SentenceCaseLabels, allauth_forms.ResetPasswordKeyForm):
    labels = {"password1": _("New password"), "password2": _("New password again")}
