"""Catalog URLs, Storefronts side (storefronts/...) and Connect side (connect/catalog/...)."""

app_name = "catalog"

urlpatterns = []
