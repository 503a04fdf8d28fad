"""Connect (staff) pages of a client's store: connect/stores/..."""

from django.urls import path

from . import views

app_name = "connect_stores"

urlpatterns = [
    path("<uuid:code>/", views.connect_store, name="store"),
    path("deliveries/<uuid:code>/replay/", views.connect_delivery_replay, name="delivery_replay"),
]
