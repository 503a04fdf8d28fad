"""Orders URLs. Storefronts side (storefronts/...); Connect's production pages join them here."""

from django.urls import path

from .views import connect_store, storefronts

app_name = "orders"

urlpatterns = [
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
]
