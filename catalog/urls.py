"""Catalog URLs, Storefronts side (storefronts/...) and Connect side (connect/catalog/...)."""

from django.urls import path

from .views import sync

app_name = "catalog"

urlpatterns = [
    path("storefronts/stores/<uuid:code>/sync/", sync.store_sync, name="store_sync"),
    path("storefronts/stores/<uuid:code>/sync/start/", sync.store_sync_start, name="store_sync_start"),
]
