"""Order pages: Connect's production (connect/orders/...)."""

from django.urls import path

from .views import connect

app_name = "orders"

urlpatterns = [
    path("connect/orders/", connect.orders, name="connect_orders"),
    path("connect/orders/needs-mapping/", connect.needs_mapping, name="connect_needs_mapping"),
    path("connect/orders/<uuid:code>/", connect.order, name="connect_order"),
    path("connect/orders/<uuid:code>/move/", connect.order_move, name="connect_order_move"),
    path(
        "connect/orders/<uuid:code>/check-files/", connect.order_check_files, name="connect_order_check_files"
    ),
]
