"""Every URL pattern of the project, and how to fill in its arguments for the sweeps.

A new URL pattern makes tests/test_tenant_sweep.py fail until it is listed here."""

from django.urls import URLPattern, URLResolver, get_resolver

from connect.models import Invitation
from core.tenancy import Role

# Anyone may open these (sign-in, password reset, the invitation link, and the webhook
# receivers, which prove their sender by signature: see integrations/tests).
PUBLIC = {
    "hooks:woocommerce",
    "hooks:pressero",
    "hooks:shopify",
    "home",
    "health",
    "accept_invitation",
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_confirm_login_code",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_email",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_change_password",
    "account_set_password",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
}


def member_invitation(world):
    return Invitation.objects.create(
        kind="member",
        client=world.client,
        email=f"invitee@{world.client.name.lower()}.example",
        first_name="I",
        last_name="N",
        role=Role.VIEWER,
        state="sent",
    )


# URL name -> function(world of the client that owns the objects) -> URL kwargs.
# Staff-only pages (Connect, and the debug-only sent-email pages):
CONNECT = {
    "connect:clients": lambda w: {},
    "connect:client_create": lambda w: {},
    "connect:client": lambda w: {"code": w.client.code},
    "connect:client_settings": lambda w: {"code": w.client.code},
    "connect:client_stores": lambda w: {"code": w.client.code},
    "connect:client_access": lambda w: {"code": w.client.code},
    "connect:client_access_state": lambda w: {"code": w.client.code},
    "connect:invitation_resend": lambda w: {"code": w.client.code},
    "connect:staff": lambda w: {},
    "debug_mail": lambda w: {},
    "debug_mail_html": lambda w: {"name": "x.log", "index": 0},
}
# Storefronts pages whose content is the visitor's own client, and those naming an object.
STOREFRONTS_OWN = {
    "storefronts:dashboard": lambda w: {},
    "storefronts:users": lambda w: {},
    "storefronts:user_add": lambda w: {},
    "integrations:stores": lambda w: {},
    "integrations:connect_manual": lambda w: {},
    "integrations:connect_woocommerce": lambda w: {},
    "integrations:connect_shopify": lambda w: {},
    "integrations:shopify_callback": lambda w: {},
    "integrations:connect_etsy": lambda w: {},
    "integrations:etsy_callback": lambda w: {},
    "integrations:connect_pressero": lambda w: {},
}
STOREFRONTS_OBJECTS = {
    "integrations:store": lambda w: {"code": w.store.code},
    "integrations:store_connection": lambda w: {"code": w.store.code},
    "integrations:store_verify": lambda w: {"code": w.store.code},
    "integrations:store_disconnect": lambda w: {"code": w.store.code},
    "integrations:store_rename": lambda w: {"code": w.store.code},
    "integrations:store_remove": lambda w: {"code": w.store.code},
    "catalog:store_sync": lambda w: {"code": w.store.code},
    "catalog:store_sync_start": lambda w: {"code": w.store.code},
    "storefronts:switch": lambda w: {"code": w.client.code},
    "storefronts:member": lambda w: {"code": w.members[Role.VIEWER].code},
    "storefronts:member_remove": lambda w: {"code": w.members[Role.VIEWER].code},
    "storefronts:invitation_row": lambda w: {"code": member_invitation(w).code},
    "storefronts:invitation_resend": lambda w: {"code": member_invitation(w).code},
    "storefronts:invitation_cancel": lambda w: {"code": member_invitation(w).code},
}
STOREFRONTS = {**STOREFRONTS_OWN, **STOREFRONTS_OBJECTS}


def url_names(resolver=None, namespace=""):
    """The full name of every URL pattern; an unnamed pattern yields None."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None
