"""Postback URLs: Storefronts > Settings > Postbacks, and the Postbacks tab of a client in Connect."""

from django.urls import path

from . import views

app_name = "postbacks"

SF = "storefronts/settings/postbacks"
CN = "connect/postbacks"

urlpatterns = [
    path(f"{SF}/", views.endpoints, name="endpoints"),
    path(f"{SF}/add/", views.add, name="add"),
    path(f"{SF}/<uuid:code>/", views.endpoint, name="endpoint"),
    path(f"{SF}/<uuid:code>/rotate/", views.rotate, name="rotate"),
    path(f"{SF}/<uuid:code>/switch/", views.toggle, name="toggle"),
    path(f"{SF}/<uuid:code>/remove/", views.remove, name="remove"),
    path(f"{SF}/<uuid:code>/test/", views.test, name="test"),
    path(f"{SF}/deliveries/<uuid:code>/", views.delivery, name="delivery"),
    path(f"{SF}/deliveries/<uuid:code>/resend/", views.resend, name="resend"),
    path("connect/clients/<uuid:code>/postbacks/", views.connect_endpoints, name="connect_endpoints"),
    path("connect/clients/<uuid:code>/postbacks/add/", views.connect_add, name="connect_add"),
    path(f"{CN}/<uuid:code>/", views.connect_endpoint, name="connect_endpoint"),
    path(f"{CN}/<uuid:code>/rotate/", views.connect_rotate, name="connect_rotate"),
    path(f"{CN}/<uuid:code>/switch/", views.connect_toggle, name="connect_toggle"),
    path(f"{CN}/<uuid:code>/remove/", views.connect_remove, name="connect_remove"),
    path(f"{CN}/<uuid:code>/test/", views.connect_test, name="connect_test"),
    path(f"{CN}/deliveries/<uuid:code>/", views.connect_delivery, name="connect_delivery"),
    path(f"{CN}/deliveries/<uuid:code>/resend/", views.connect_resend, name="connect_resend"),
]
