"""Catalog URLs, Storefronts side (storefronts/...) and Connect side (connect/catalog/...)."""

from django.urls import path

from .views import publishing

app_name = "catalog"

PUBLICATION = "storefronts/products/publications/<uuid:code>"

urlpatterns = [
    # Add product and Publish to store
    path("storefronts/products/new/", publishing.add_product, name="add_product"),
    path(
        "storefronts/products/new/template-image/",
        publishing.template_image,
        name="publishing_template_image",
    ),
    path(f"{PUBLICATION}/", publishing.publication, name="publication"),
    path(f"{PUBLICATION}/design/", publishing.publication_design, name="publication_design"),
    path(f"{PUBLICATION}/design-file/", publishing.publication_design_file, name="publication_design_file"),
    path(f"{PUBLICATION}/preview.png", publishing.publication_preview, name="publication_preview"),
    path(f"{PUBLICATION}/publish/", publishing.publication_publish, name="publication_publish"),
    path(f"{PUBLICATION}/status/", publishing.publication_status, name="publication_status"),
]
