"""Orders URLs: Connect side (connect/orders/...) and Storefronts side (storefronts/orders/...)."""

from django.urls import path

from .views import manual, outbox

app_name = "orders"

urlpatterns = [
    path("connect/orders/outbox/<uuid:code>/retry/", outbox.outbox_retry, name="outbox_retry"),
    path("storefronts/stores/<uuid:code>/orders/new/", manual.place, name="manual_place"),
    path("storefronts/stores/<uuid:code>/orders/new/item/", manual.item_row, name="manual_item_row"),
    path("storefronts/stores/<uuid:code>/orders/import/", manual.import_page, name="manual_import"),
    path(
        "storefronts/stores/<uuid:code>/orders/import/template.csv",
        manual.import_template,
        name="manual_import_template",
    ),
    path("storefronts/orders/imports/<uuid:code>/", manual.order_import, name="order_import"),
    path(
        "storefronts/orders/imports/<uuid:code>/import/", manual.order_import_start, name="order_import_start"
    ),
]
