from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from catalog.signals import mappings_changed
        from integrations import inbox

        # Order webhooks (Shopify orders/*, WooCommerce order.*, Pressero OrderPlaced) are
        # drained from the inbox in batches and applied here, by name: integrations may not
        # import orders.
        inbox.register("order", "orders.pipeline.apply_order_delivery")
        mappings_changed.connect(relink_after_mapping, dispatch_uid="orders.relink")


def relink_after_mapping(sender, store_id, **kwargs):
    """Mappings changed (after commit): the store's orders that need mapping may continue."""
    from .tasks import relink_orders

    relink_orders.delay(store_id)
