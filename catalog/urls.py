"""Catalog URLs, Storefronts side (storefronts/...) and Connect side (connect/catalog/...)."""

from django.urls import path

from .views import products

app_name = "catalog"

urlpatterns = [
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
]
