from django.http import JsonResponse
from django.urls import path, re_path

from . import etsy, files, pages, postbacks, pressero, shopify, woocommerce

WC = "woocommerce/<slug:handle>/wp-json"
SHOPIFY = "shopify/<str:hostname>/admin"

urlpatterns = [
    path("", pages.index, name="index"),
    path("healthz/", lambda request: JsonResponse({"status": "ok"}), name="health"),
    path("shops/<str:platform>/<slug:handle>/", pages.shop, name="shop"),
    path("shops/<str:platform>/<slug:handle>/orders", pages.place_test_order),
    # A design file host (the URLs people give in Connect product).
    path("files/redirect/<str:name>", files.redirect),
    path("files/<str:name>", files.design_file),
    # A postback receiver, for Printfront's postback endpoints (demos and tests).
    path("postbacks/<slug:handle>/", postbacks.receive, name="postbacks"),
    path("postbacks/<slug:handle>/script", postbacks.script),
    path("postbacks/<slug:handle>/received.json", postbacks.received),
    path("pressero/<slug:handle>/api/V2/Authentication", pressero.authenticate),
    path("pressero/<slug:handle>/api/v2/Authentication/<str:token>/Validate", pressero.validate),
    path("pressero/<slug:handle>/api/v2/Orders/Search", pressero.search_orders),
    path("pressero/<slug:handle>/api/v2/orders/<int:number>/Details", pressero.order_details),
    path("pressero/<slug:handle>/api/v2/orders/<int:number>/items", pressero.order_items),
    path("pressero/<slug:handle>/api/V2/Orders/Shipments", pressero.add_shipments),
    path("etsy/oauth/connect", etsy.connect, name="etsy_connect"),
    path("etsy/v3/public/oauth/token", etsy.token),
    path("etsy/v3/application/users/me", etsy.me),
    path("etsy/v3/application/shops/<int:shop_ref>", etsy.shop_detail),
    path(
        "etsy/v3/application/shops/<int:shop_ref>/listings",
        etsy.by_method(GET=etsy.listings, POST=etsy.create_draft_listing),
    ),
    path(
        "etsy/v3/application/listings/<int:listing_id>/inventory",
        etsy.by_method(GET=etsy.inventory, PUT=etsy.update_inventory),
    ),
    path("etsy/images/<int:listing_image_id>/il_<str:size>.svg", etsy.image),
    path("etsy/v3/application/shops/<int:shop_ref>/receipts", etsy.receipts),
    path("etsy/v3/application/shops/<int:shop_ref>/receipts/<int:receipt_id>", etsy.receipt),
    path("etsy/v3/application/shops/<int:shop_ref>/receipts/<int:receipt_id>/tracking", etsy.tracking),
    path(f"{SHOPIFY}/oauth/authorize", shopify.authorize, name="shopify_authorize"),
    path(f"{SHOPIFY}/oauth/access_token", shopify.access_token),
    path(f"{SHOPIFY}/api/<str:version>/graphql.json", shopify.graphql),
    path(f"{WC}/", woocommerce.index),
    path(f"{WC}/wc/v3/system_status", woocommerce.system_status),
    path(f"{WC}/wc/v3/products", woocommerce.products),
    path(f"{WC}/wc/v3/products/<int:product_id>", woocommerce.product),
    path(f"{WC}/wc/v3/products/<int:product_id>/variations", woocommerce.variations),
    path(f"{WC}/wc/v3/products/<int:product_id>/variations/batch", woocommerce.variations_batch),
    path(f"{WC}/wc/v3/variations", woocommerce.all_variations),
    path(f"{WC}/wc/v3/orders", woocommerce.orders),
    path(f"{WC}/wc/v3/orders/<int:order_id>", woocommerce.order),
    path(f"{WC}/wc/v3/orders/<int:order_id>/notes", woocommerce.order_notes),
    path(f"{WC}/wc/v3/webhooks", woocommerce.webhooks),
    path(f"{WC}/wc/v3/webhooks/batch", woocommerce.webhooks_batch),
    path(f"{WC}/wc/v3/webhooks/<int:webhook_id>", woocommerce.webhook),
    # Anything else under wp-json is WordPress's JSON "no route", never an HTML 404.
    re_path(r"^woocommerce/(?P<handle>[-\w]+)/wp-json/", woocommerce.unknown_route),
]
