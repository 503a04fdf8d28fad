"""The audit log: every change a person makes is recorded here, with who, what and when."""

from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent

# verb -> sentence shown in activity lists; {target} is filled in.
VERBS = {
    "client.created": _("created the client"),
    "client.updated": _("updated the client"),
    "access.enabled": _("switched Storefronts access on"),
    "access.disabled": _("switched Storefronts access off"),
    "invitation.created": _("invited {target}"),
    "invitation.resent": _("resent the invitation to {target}"),
    "invitation.email_corrected": _("corrected the invitation email to {target}"),
    "invitation.revoked": _("cancelled the invitation to {target}"),
    "invitation.accepted": _("accepted the invitation"),
    "member.role_changed": _("changed the role of {target}"),
    "member.stores_changed": _("changed the stores of {target}"),
    "member.removed": _("removed {target}"),
    "store.connected": _("connected the store {target}"),
    "store.reconnected": _("reconnected the store {target}"),
    "store.disconnected": _("disconnected the store {target}"),
    "store.verified": _("checked the connection of {target}"),
    "store.renamed": _("renamed a store to {target}"),
    "store.removed": _("removed the store {target}"),
    "account.language_changed": _("chose {target} as their language"),
    "staff.invited": _("invited staff member {target}"),
    "staff.created": _("created staff account {target}"),
    "catalog.product_created": _("added {target} to the catalog"),
    "catalog.product_updated": _("changed the catalog product {target}"),
    "products.sync_started": _("started a product sync of {target}"),
    "product.mapped": _("connected the product {target}"),
    "product.unmapped": _("disconnected the product {target}"),
    "products.imported": _("imported product mappings into {target}"),
    "product.published": _("published the product {target}"),
    "template.created": _("created the template product {target}"),
    "template.updated": _("changed the template product {target}"),
    "template.archived": _("archived the template product {target}"),
    "template.restored": _("restored the template product {target}"),
    "template.saved": _("saved {target} as a template product"),
    "order.placed": _("placed the order {target}"),
    "orders.imported": _("imported orders into {target}"),
    "order.moved": _("moved the order {target} on in production"),
    "order.released": _("released the held order {target}"),
    "delivery.replayed": _("replayed a webhook delivery to {target}"),
    "postback.created": _("added the postback endpoint {target}"),
    "postback.updated": _("changed the postback endpoint {target}"),
    "postback.secret_rotated": _("rotated the signing secret of {target}"),
    "postback.enabled": _("switched on the postback endpoint {target}"),
    "postback.disabled": _("switched off the postback endpoint {target}"),
    "postback.removed": _("removed the postback endpoint {target}"),
    "postback.resent": _("sent a postback to {target} again"),
    "postback.tested": _("sent a test postback to {target}"),
    "workflow.rule_created": _("added the workflow rule {target}"),
    "workflow.rule_updated": _("changed the workflow rule {target}"),
    "workflow.rule_deleted": _("deleted the workflow rule {target}"),
    "workflow.rule_moved": _("moved the workflow rule {target}"),
    "workflow.line_added": _("added the production line {target}"),
    "workflow.line_enabled": _("switched the production line {target} on"),
    "workflow.line_disabled": _("switched the production line {target} off"),
}


def record(actor, verb, *, client=None, target="", data=None):
    if verb not in VERBS:
        raise ValueError(f"Unknown audit verb {verb!r}: add it to core.audit.VERBS")
    return AuditEvent.objects.create(
        actor=actor if actor and actor.pk else None,
        actor_label=str(actor.email) if actor and actor.pk else "system",
        client=client,
        verb=verb,
        target=str(target),
        data=data or {},
    )


def describe(event):
    return str(VERBS[event.verb]).format(target=event.target)
