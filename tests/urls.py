"""Every URL pattern of the project, and how to fill in its arguments for the sweeps.

A new URL pattern makes tests/test_tenant_sweep.py fail until it is listed here."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver

from catalog.models import (
    CatalogProduct,
    DesignTemplate,
    ImportRun,
    ProductMapping,
    ProductType,
    StoreProduct,
    StoreVariant,
    TemplateProduct,
)
from catalog.seed import template_image
from connect.models import Invitation
from core.tenancy import Role
from orders.models import OrderImport, OutboxMessage

# Anyone may open these (sign-in, password reset, the invitation link, and the webhook
# receivers, which prove their sender by signature: see integrations/tests).
PUBLIC = {
    "hooks:woocommerce",
    "hooks:pressero",
    "hooks:shopify",
    "hooks:shopify_privacy",
    "home",
    "health",
    "set_language",
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


def catalog_product(world=None):
    """A catalog product with one variant: the printer's, the same for every client."""
    product, _created = CatalogProduct.objects.get_or_create(
        uid_prefix="sweep_product",
        defaults={
            "name": "Sweep poster",
            "product_type": ProductType.POSTER,
            "print_width_mm": Decimal("210"),
            "print_height_mm": Decimal("297"),
            "file_formats": ["pdf"],
        },
    )
    if not product.variants.exists():
        product.variants.create(uid="sweep_product_pf_a4", label="A4", values={"pf": "a4"})
    return product


def design_template(world=None):
    name = "design-templates/sweep.png"
    if not default_storage.exists(name):
        default_storage.save(
            name, ContentFile(template_image("#ffffff", "#0f766e", "frame", "Sweep", size=(60, 80)))
        )
    template, _created = DesignTemplate.objects.get_or_create(
        name="Sweep template", defaults={"product_type": ProductType.POSTER, "image": name}
    )
    return template


def printer_template(world=None):
    """A template product of the printer's, offered to nobody yet."""
    template, _created = TemplateProduct.objects.get_or_create(
        name="Sweep printer template",
        client=None,
        defaults={"catalog_product": catalog_product(), "design_template": design_template()},
    )
    return template


def own_template(world):
    """A template the world's client saved for itself; its name names the client."""
    template, _created = TemplateProduct.objects.get_or_create(
        name=f"{world.client.name} template",
        client=world.client,
        defaults={"catalog_product": catalog_product(), "design_template": design_template()},
    )
    return template


def templates_of(world):
    """The world's client's own template and one the printer offers that client only (its name
    names the client), for the pages listing templates: another client's must show neither."""
    own_template(world)
    offered, _created = TemplateProduct.objects.get_or_create(
        name=f"Offered to {world.client.name} only",
        client=None,
        defaults={"catalog_product": catalog_product()},
    )
    offered.offered_to.add(world.client)
    return {}


def import_run(world):
    return ImportRun.objects.create(store=world.store, file_name="products.csv", state=ImportRun.State.READY)


def order_import(world):
    """A checked CSV of orders for the world's manual store, ready to import."""
    return OrderImport.objects.create(
        store=world.store,
        file_name="orders.csv",
        content="order_reference\n",
        summary={"totals": {"orders": 1, "items": 1, "pieces": 1}, "preview": []},
    )


def store_product(world):
    """A synced product of the world's store, with one variant; its title names the client, so
    a page that leaks it to another client is caught."""
    product, _ = StoreProduct.objects.get_or_create(
        store=world.store, external_id="sweep-1", defaults={"title": f"{world.client.name} product"}
    )
    StoreVariant.objects.get_or_create(
        store=world.store, product=product, external_id="sweep-1-1", defaults={"sku": "SWEEP-A4"}
    )
    return product


def mapped_variant(world):
    """The variant of store_product(), connected to a catalog variant with an uploaded design file."""
    variant = store_product(world).variants.get()
    catalog_variant = catalog_product().variants.get()
    name = "design-files/sweep/sweep.png"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"not really a PNG"))
    ProductMapping.objects.get_or_create(
        variant=variant,
        defaults={"store": world.store, "catalog_variant": catalog_variant, "design_file": name},
    )
    return variant


def publication(world, design=False):
    """A draft of "Add product" in the world's store, with a placed design if asked."""
    from catalog.tests.publishing_helpers import make_publication

    return make_publication(world.store, design=design)


def an_order(world):
    """An order of the world's store, with an item whose file check failed; its customer names
    the client, so a page that leaks it to another client is caught."""
    from orders.tests.helpers import make_order

    return make_order(world.store, number="#1001", customer_name=f"{world.client.name} buyer")


def failed_delivery(world):
    """A signed order delivery of the world's store that failed."""
    from integrations.models import WebhookDelivery

    return WebhookDelivery.objects.create(
        store=world.store,
        platform="shopify",
        topic="orders/create",
        body=b"{}",
        signature_valid=True,
        state=WebhookDelivery.State.FAILED,
        error="The delivery's body is not what its topic says.",
    )


def postback_endpoint(world):
    """A URL endpoint of the client's; its description names the client, so a page that leaks it
    to another client is caught."""
    from postbacks.models import Endpoint, Event

    return Endpoint.objects.create(
        client=world.client,
        url="https://hooks.example/printfront",
        description=f"{world.client.name} ERP",
        events=[Event.SHIPPED],
        secret="whsec_c3dlZXAtc2VjcmV0LXN3ZWVwLXNlY3JldC0xMjM0NQ==",
    )


def postback_delivery(world):
    """A failed delivery to postback_endpoint(); the same one when asked again."""
    from postbacks.models import Delivery

    delivery, _created = Delivery.objects.get_or_create(
        message_id=f"msg_sweep_{world.client.pk}",
        defaults={
            "endpoint": postback_endpoint(world),
            "event": "order.shipped",
            "subject": "#1001",
            "payload": {"type": "order.shipped", "data": {}},
            "state": Delivery.State.FAILED,
            "attempts": 1,
        },
    )
    return delivery


def workflow_rule(world):
    """A workflow rule about the world's client (staff's: only Connect shows it)."""
    from workflows.models import Rule

    rule, _created = Rule.objects.get_or_create(
        name=f"{world.client.name} rule", defaults={"client": world.client, "position": 1}
    )
    return rule


def production_line(world=None):
    from workflows.models import ProductionLine

    return ProductionLine.objects.get_or_create(name="Sweep line")[0]


# URL name -> function(world of the client that owns the objects) -> URL kwargs.
# Staff-only pages (Connect, and the debug-only sent-email pages):
def outbox_message(world):
    return OutboxMessage.objects.create(
        order=an_order(world),
        kind=OutboxMessage.Kind.TRACKING,
        payload={"order_external_id": "1001", "carrier": "DHL", "tracking_code": "T1"},
        state=OutboxMessage.State.GAVE_UP,
    )


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
    "connect_stores:store": lambda w: {"code": w.store.code},
    "connect_stores:delivery_replay": lambda w: {"code": failed_delivery(w).code},
    "orders:connect_store_orders": lambda w: {"code": w.store.code},
    "catalog:connect_catalog": lambda w: {},
    "catalog:connect_catalog_create": lambda w: {},
    "catalog:connect_catalog_product": lambda w: {"code": catalog_product().code},
    "catalog:connect_catalog_variant_active": lambda w: {"code": catalog_product().variants.first().code},
    "catalog:connect_client_products": lambda w: {"code": w.client.code},
    "catalog:connect_client_product": lambda w: {"code": w.client.code, "product": store_product(w).code},
    "catalog:staff_design_file": lambda w: {"code": mapped_variant(w).code},
    "catalog:connect_templates": lambda w: {},
    "catalog:connect_template_create": lambda w: {},
    "catalog:connect_template": lambda w: {"code": printer_template().code},
    "catalog:connect_template_archive": lambda w: {"code": printer_template().code},
    "catalog:connect_template_design": lambda w: {"code": printer_template().code},
    "orders:outbox_retry": lambda w: {"code": outbox_message(w).code},
    "orders:connect_orders": lambda w: {},
    "orders:connect_needs_mapping": lambda w: {},
    "orders:connect_order": lambda w: {"code": an_order(w).code},
    "orders:connect_order_move": lambda w: {"code": an_order(w).code},
    "orders:connect_order_check_files": lambda w: {"code": an_order(w).code},
    "postbacks:connect_endpoints": lambda w: {"code": w.client.code},
    "postbacks:connect_add": lambda w: {"code": w.client.code},
    "postbacks:connect_endpoint": lambda w: {"code": postback_endpoint(w).code},
    "postbacks:connect_rotate": lambda w: {"code": postback_endpoint(w).code},
    "postbacks:connect_toggle": lambda w: {"code": postback_endpoint(w).code},
    "postbacks:connect_remove": lambda w: {"code": postback_endpoint(w).code},
    "postbacks:connect_test": lambda w: {"code": postback_endpoint(w).code},
    "postbacks:connect_delivery": lambda w: {"code": postback_delivery(w).code},
    "postbacks:connect_resend": lambda w: {"code": postback_delivery(w).code},
    "orders:connect_order_release": lambda w: {"code": an_order(w).code},
    "orders:workflow_try": lambda w: {},
    "workflows:rules": lambda w: {},
    "workflows:rule_add": lambda w: {},
    "workflows:rule_edit": lambda w: {"code": workflow_rule(w).code},
    "workflows:rule_delete": lambda w: {"code": workflow_rule(w).code},
    "workflows:rule_move": lambda w: {"code": workflow_rule(w).code},
    "workflows:line_add": lambda w: {},
    "workflows:line_active": lambda w: {"code": production_line().code},
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
    "catalog:products": lambda w: {},
    "catalog:add_product": lambda w: templates_of(w),
    "catalog:templates": lambda w: templates_of(w),
    "orders:orders": lambda w: {},
    "orders:needs_mapping": lambda w: {},
    "postbacks:endpoints": lambda w: {},
    "postbacks:add": lambda w: {},
}
STOREFRONTS_OBJECTS = {
    "integrations:store": lambda w: {"code": w.store.code},
    "integrations:store_connection": lambda w: {"code": w.store.code},
    "integrations:store_verify": lambda w: {"code": w.store.code},
    "integrations:store_disconnect": lambda w: {"code": w.store.code},
    "integrations:store_rename": lambda w: {"code": w.store.code},
    "integrations:store_remove": lambda w: {"code": w.store.code},
    "integrations:delivery_replay": lambda w: {"code": failed_delivery(w).code},
    "orders:order": lambda w: {"code": an_order(w).code},
    "orders:order_live": lambda w: {"code": an_order(w).code},
    "orders:order_check_files": lambda w: {"code": an_order(w).code},
    "orders:store_orders": lambda w: {"code": w.store.code},
    "orders:store_test_order": lambda w: {"code": w.store.code},
    "catalog:store_sync": lambda w: {"code": w.store.code},
    "catalog:store_sync_start": lambda w: {"code": w.store.code},
    "storefronts:switch": lambda w: {"code": w.client.code},
    "catalog:bulk": lambda w: {"code": w.store.code},
    "catalog:bulk_export": lambda w: {"code": w.store.code},
    "catalog:bulk_import": lambda w: {"code": w.store.code},
    "catalog:import_run": lambda w: {"code": import_run(w).code},
    "catalog:import_status": lambda w: {"code": import_run(w).code},
    "catalog:import_apply": lambda w: {"code": import_run(w).code},
    "orders:manual_place": lambda w: {"code": w.store.code},
    "orders:manual_item_row": lambda w: {"code": w.store.code},
    "orders:manual_import": lambda w: {"code": w.store.code},
    "orders:order_import": lambda w: {"code": order_import(w).code},
    "orders:order_import_start": lambda w: {"code": order_import(w).code},
    "orders:manual_import_template": lambda w: {"code": w.store.code},
    "storefronts:member": lambda w: {"code": w.members[Role.VIEWER].code},
    "storefronts:member_remove": lambda w: {"code": w.members[Role.VIEWER].code},
    "storefronts:invitation_row": lambda w: {"code": member_invitation(w).code},
    "storefronts:invitation_resend": lambda w: {"code": member_invitation(w).code},
    "storefronts:invitation_cancel": lambda w: {"code": member_invitation(w).code},
    "catalog:product": lambda w: {"code": store_product(w).code},
    "catalog:product_connect": lambda w: {"code": store_product(w).code},
    "catalog:catalog_search": lambda w: {"code": store_product(w).code},
    "catalog:product_files": lambda w: {"code": store_product(w).code},
    "catalog:variant_disconnect": lambda w: {"code": mapped_variant(w).code},
    "catalog:variant_check": lambda w: {"code": mapped_variant(w).code},
    "catalog:design_file": lambda w: {"code": mapped_variant(w).code},
    "catalog:publication": lambda w: {"code": publication(w).code},
    "catalog:publication_design": lambda w: {"code": publication(w).code},
    "catalog:publication_design_file": lambda w: {"code": publication(w, design=True).code},
    "catalog:publication_preview": lambda w: {"code": publication(w, design=True).code},
    "catalog:publication_publish": lambda w: {"code": publication(w).code},
    "catalog:publication_status": lambda w: {"code": publication(w).code},
    "postbacks:endpoint": lambda w: {"code": postback_endpoint(w).code},
    "postbacks:rotate": lambda w: {"code": postback_endpoint(w).code},
    "postbacks:toggle": lambda w: {"code": postback_endpoint(w).code},
    "postbacks:remove": lambda w: {"code": postback_endpoint(w).code},
    "postbacks:test": lambda w: {"code": postback_endpoint(w).code},
    "postbacks:delivery": lambda w: {"code": postback_delivery(w).code},
    "postbacks:resend": lambda w: {"code": postback_delivery(w).code},
    "catalog:publication_save_template": lambda w: {"code": publication(w).code},
    "catalog:product_save_template": lambda w: {"code": store_product(w).code},
    "catalog:template": lambda w: {"code": own_template(w).code},
    "catalog:template_archive": lambda w: {"code": own_template(w).code},
    "catalog:template_design": lambda w: {"code": own_template(w).code},
}
# Storefronts pages of the printer's own data, shared by every client (the catalog): any client's
# people may open them; the sweep checks they show nothing of another client.
STOREFRONTS_SHARED = {
    "catalog:catalog": lambda w: {},
    "catalog:catalog_product": lambda w: {"code": catalog_product().code},
    "catalog:template_image": lambda w: {"code": design_template().code},
}
STOREFRONTS = {**STOREFRONTS_OWN, **STOREFRONTS_OBJECTS, **STOREFRONTS_SHARED}


def url_names(resolver=None, namespace=""):
    """The full name of every URL pattern; an unnamed pattern yields None."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None
