"""Catalog URLs, Storefronts side (storefronts/...) and Connect side (connect/catalog/...)."""

from django.urls import path

from .views import bulk, products, publishing, staff_products, sync, template_products
from .views import catalog as catalog_views

app_name = "catalog"

PUBLICATION = "storefronts/products/publications/<uuid:code>"

urlpatterns = [
    # The printer's catalog: staff edit it in Connect...
    path("connect/catalog/", catalog_views.connect_catalog, name="connect_catalog"),
    path("connect/catalog/new/", catalog_views.connect_catalog_create, name="connect_catalog_create"),
    path(
        "connect/catalog/<uuid:code>/", catalog_views.connect_catalog_product, name="connect_catalog_product"
    ),
    path(
        "connect/catalog/variants/<uuid:code>/active/",
        catalog_views.connect_catalog_variant_active,
        name="connect_catalog_variant_active",
    ),
    # ...and every client's people browse it in Storefronts.
    path("storefronts/catalog/", catalog_views.catalog_list, name="catalog"),
    path("storefronts/catalog/<uuid:code>/", catalog_views.catalog_product, name="catalog_product"),
    path(
        "storefronts/catalog/templates/<uuid:code>/image/",
        catalog_views.template_image,
        name="template_image",
    ),
    # Connect: each client's products and mappings, read-only.
    path(
        "connect/clients/<uuid:code>/products/",
        staff_products.client_products,
        name="connect_client_products",
    ),
    path(
        "connect/clients/<uuid:code>/products/<uuid:product>/",
        staff_products.client_product,
        name="connect_client_product",
    ),
    # Bulk operations (mapping CSV)
    path("storefronts/stores/<uuid:code>/bulk/", bulk.bulk_page, name="bulk"),
    path("storefronts/stores/<uuid:code>/bulk/export/", bulk.bulk_export, name="bulk_export"),
    path("storefronts/stores/<uuid:code>/bulk/import/", bulk.bulk_import, name="bulk_import"),
    path("storefronts/imports/<uuid:code>/", bulk.import_run, name="import_run"),
    path("storefronts/imports/<uuid:code>/status/", bulk.import_status, name="import_status"),
    path("storefronts/imports/<uuid:code>/apply/", bulk.import_apply, name="import_apply"),
    # Storefronts > Products and Connect product.
    path("storefronts/products/", products.products, name="products"),
    path("storefronts/products/<uuid:code>/", products.product, name="product"),
    path("storefronts/products/<uuid:code>/connect/", products.product_connect, name="product_connect"),
    path("storefronts/products/<uuid:code>/catalog-search/", products.catalog_search, name="catalog_search"),
    path("storefronts/products/<uuid:code>/files/", products.product_files, name="product_files"),
    path(
        "storefronts/products/variants/<uuid:code>/disconnect/",
        products.variant_disconnect,
        name="variant_disconnect",
    ),
    path("storefronts/products/variants/<uuid:code>/check/", products.variant_check, name="variant_check"),
    path("storefronts/products/variants/<uuid:code>/design-file/", products.design_file, name="design_file"),
    path("connect/catalog/design-files/<uuid:code>/", products.staff_design_file, name="staff_design_file"),
    # Add product and Publish to store
    path("storefronts/products/new/", publishing.add_product, name="add_product"),
    path(f"{PUBLICATION}/", publishing.publication, name="publication"),
    path(f"{PUBLICATION}/design/", publishing.publication_design, name="publication_design"),
    path(f"{PUBLICATION}/design-file/", publishing.publication_design_file, name="publication_design_file"),
    path(f"{PUBLICATION}/preview.png", publishing.publication_preview, name="publication_preview"),
    path(f"{PUBLICATION}/publish/", publishing.publication_publish, name="publication_publish"),
    path(f"{PUBLICATION}/status/", publishing.publication_status, name="publication_status"),
    path(
        f"{PUBLICATION}/save-template/",
        template_products.publication_save_template,
        name="publication_save_template",
    ),
    # Template products: the printer's in Connect, the ones a client may use (and its own) in Storefronts
    path("connect/catalog/templates/", template_products.connect_templates, name="connect_templates"),
    path(
        "connect/catalog/templates/new/",
        template_products.connect_template_create,
        name="connect_template_create",
    ),
    path(
        "connect/catalog/templates/<uuid:code>/", template_products.connect_template, name="connect_template"
    ),
    path(
        "connect/catalog/templates/<uuid:code>/design/",
        template_products.connect_template_design,
        name="connect_template_design",
    ),
    path(
        "connect/catalog/templates/<uuid:code>/archive/",
        template_products.connect_template_archive,
        name="connect_template_archive",
    ),
    path("storefronts/products/templates/", template_products.templates, name="templates"),
    path("storefronts/products/templates/<uuid:code>/", template_products.template, name="template"),
    path(
        "storefronts/products/templates/<uuid:code>/design/",
        template_products.template_design,
        name="template_design",
    ),
    path(
        "storefronts/products/templates/<uuid:code>/archive/",
        template_products.template_archive,
        name="template_archive",
    ),
    path(
        "storefronts/products/<uuid:code>/save-template/",
        template_products.product_save_template,
        name="product_save_template",
    ),
    # Product sync, from the store page
    path("storefronts/stores/<uuid:code>/sync/", sync.store_sync, name="store_sync"),
    path("storefronts/stores/<uuid:code>/sync/start/", sync.store_sync_start, name="store_sync_start"),
]
