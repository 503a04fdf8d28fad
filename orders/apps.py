from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from catalog.signals import mappings_changed
        from integrations import inbox

        # Order webhooks (Shopify orders/*, WooCommerce order.*, Pressero OrderPlaced) and
        # Shopify's privacy topics (about the personal data orders hold) are drained from the
        # inbox in batches and applied here, by name: integrations may not import orders.
        inbox.register("order", "orders.pipeline.apply_order_delivery", "orders.pipeline.create_new_orders")
        inbox.register("compliance", "orders.compliance.apply_compliance_delivery")
        mappings_changed.connect(relink_after_mapping, dispatch_uid="orders.relink")


def relink_after_mapping(sender, store_id, **kwargs):
    """Mappings changed (after commit): the store's orders that need mapping may continue. A
    broker away loses nothing (the sweep relinks what waits) and breaks no request."""
    from core.tasks import enqueue_on_commit

    from .tasks import relink_orders

    enqueue_on_commit(relink_orders, store_id)
