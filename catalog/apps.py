from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from integrations.services import register_topic_handler

        # Product webhooks (Shopify products/update and /delete, WooCommerce product.updated
        # and .deleted) are processed here, by name: integrations may not import catalog.
        register_topic_handler("product", "catalog.tasks.process_product_delivery")
