"""Orders URLs: Connect side (connect/...) and Storefronts side (storefronts/...)."""

from django.urls import path

from .views import connect, connect_store, manual, outbox, storefronts, workflows

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
    path("storefronts/orders/", storefronts.orders, name="orders"),
    path("storefronts/orders/needs-mapping/", storefronts.needs_mapping, name="needs_mapping"),
    path("storefronts/orders/<uuid:code>/", storefronts.order, name="order"),
    path("storefronts/orders/<uuid:code>/live/", storefronts.order_live, name="order_live"),
    path(
        "storefronts/orders/<uuid:code>/check-files/", storefronts.order_check_files, name="order_check_files"
    ),
    path("storefronts/stores/<uuid:code>/orders/", storefronts.store_orders, name="store_orders"),
    path("storefronts/stores/<uuid:code>/test-order/", storefronts.store_test_order, name="store_test_order"),
    path("connect/stores/<uuid:code>/orders/", connect_store.store_orders, name="connect_store_orders"),
    path("connect/orders/", connect.orders, name="connect_orders"),
    path("connect/orders/needs-mapping/", connect.needs_mapping, name="connect_needs_mapping"),
    path("connect/orders/<uuid:code>/", connect.order, name="connect_order"),
    path("connect/orders/<uuid:code>/move/", connect.order_move, name="connect_order_move"),
    path("connect/orders/<uuid:code>/release/", workflows.order_release, name="connect_order_release"),
    path("connect/workflows/try/", workflows.workflow_try, name="workflow_try"),
    path(
        "connect/orders/<uuid:code>/check-files/", connect.order_check_files, name="connect_order_check_files"
    ),
]
