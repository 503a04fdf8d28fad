from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from core.tasks import enqueue_on_commit, send_rendered_email


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation only; staff land in Connect, client people in Storefronts."""

    def is_open_for_signup(self, request):
        return False

    def get_login_redirect_url(self, request):
        if request.user.is_staff:
            return reverse("connect:clients")
        return reverse("storefronts:dashboard")

    def send_mail(self, template_prefix, email, context):
        """allauth's emails are rendered here and sent by the worker."""
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
