"""Orders URLs: Connect side (connect/orders/...) and Storefronts side (storefronts/orders/...)."""

from django.urls import path

from .views import outbox

app_name = "orders"

urlpatterns = [
    path("connect/orders/outbox/<uuid:code>/retry/", outbox.outbox_retry, name="outbox_retry"),
]
