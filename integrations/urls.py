from django.urls import path

from . import views
from .etsy import views as etsy_views
from .manual import views as manual_views
from .pressero import views as pressero_views
from .shopify import views as shopify_views
from .woocommerce import views as woocommerce_views

app_name = "integrations"

urlpatterns = [
    path("", views.stores, name="stores"),
    path("<uuid:code>/", views.store, name="store"),
    path("<uuid:code>/connection/", views.store_connection, name="store_connection"),
    path("<uuid:code>/verify/", views.store_verify, name="store_verify"),
    path("<uuid:code>/disconnect/", views.store_disconnect, name="store_disconnect"),
    path("<uuid:code>/rename/", views.store_rename, name="store_rename"),
    path("<uuid:code>/remove/", views.store_remove, name="store_remove"),
    path("deliveries/<uuid:code>/replay/", views.delivery_replay, name="delivery_replay"),
    path("connect/manual/", manual_views.connect, name="connect_manual"),
    path("connect/shopify/", shopify_views.connect, name="connect_shopify"),
    path("connect/shopify/callback/", shopify_views.callback, name="shopify_callback"),
    path("connect/etsy/", etsy_views.connect, name="connect_etsy"),
    path("connect/etsy/callback/", etsy_views.callback, name="etsy_callback"),
    path("connect/pressero/", pressero_views.connect, name="connect_pressero"),
    path("connect/woocommerce/", woocommerce_views.connect, name="connect_woocommerce"),
]
