from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation only; staff land in Connect, client people in Storefronts."""

    def is_open_for_signup(self, request):
        return False

    def get_login_redirect_url(self, request):
        if request.user.is_staff:
            return reverse("connect:clients")
        return reverse("storefronts:dashboard")
