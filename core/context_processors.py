from django.conf import settings

from core.tenancy import ROLE_ACTIONS


def site(request):
    membership = getattr(request, "membership", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "DEBUG": settings.DEBUG,
        "allowed_actions": ROLE_ACTIONS[membership.role] if membership else frozenset(),
    }
