"""Catalog URLs, Storefronts side (storefronts/...) and Connect side (connect/catalog/...)."""

from django.urls import path

from .views import bulk

app_name = "catalog"

urlpatterns = [
    # Bulk operations (mapping CSV)
    path("storefronts/stores/<uuid:code>/bulk/", bulk.bulk_page, name="bulk"),
    path("storefronts/stores/<uuid:code>/bulk/export/", bulk.bulk_export, name="bulk_export"),
    path("storefronts/stores/<uuid:code>/bulk/import/", bulk.bulk_import, name="bulk_import"),
    path("storefronts/imports/<uuid:code>/", bulk.import_run, name="import_run"),
    path("storefronts/imports/<uuid:code>/status/", bulk.import_status, name="import_status"),
    path("storefronts/imports/<uuid:code>/apply/", bulk.import_apply, name="import_apply"),
]
