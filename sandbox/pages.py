"""The sandbox's own pages: the demo shops, each with its catalogue, credentials and
failure switches."""

from django import forms
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import bigshop, demo_keys, orders, products, shopify
from .etsy_resources import RECEIPT_ID_BASE, TRANSACTION_ID_BASE
from .models import Order, Product, Shop, Variant
from .woocommerce import home_url


class OrderForm(forms.Form):
    variant = forms.ModelChoiceField(queryset=None, label=_("Product"))
    quantity = forms.IntegerField(min_value=1, max_value=10000, initial=1, label=_("Quantity"))
    # A second line, to try shipping part of an order.
    also = forms.ModelChoiceField(queryset=None, required=False, label=_("And another product"))
    name = forms.CharField(max_length=100, initial="Sam Buyer", label=_("Buyer's name"))
    email = forms.EmailField(initial="sam.buyer@example.com", label=_("Buyer's email"))
    unpaid = forms.BooleanField(required=False, label=_("Awaiting payment (bank transfer)"))
    test = forms.BooleanField(required=False, label=_("Test order (Shopify's Bogus Gateway)"))

    def __init__(self, *args, shop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].queryset = Variant.objects.filter(
            product__shop=shop, product__status="active"
        ).select_related("product")
        self.fields["variant"].label_from_instance = lambda v: f"{v.product.title} - {v.sku}"
        self.fields["also"].queryset = self.fields["variant"].queryset
        self.fields["also"].label_from_instance = self.fields["variant"].label_from_instance


class ProductChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} (#{obj.id}, {obj.get_status_display()})"


class ProductChangeForm(forms.Form):
    """The merchant edits a product: what the app hears as products/update or product.updated."""

    product = ProductChoice(queryset=None, label=_("Product"))
    title = forms.CharField(max_length=255, label=_("Title"))
    status = forms.ChoiceField(choices=Product.Status.choices, label=_("Status"))

    def __init__(self, *args, shop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = shop.products.all()


class ProductDeleteForm(forms.Form):
    product = ProductChoice(queryset=None, label=_("Product to delete"))

    def __init__(self, *args, shop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = shop.products.all()


class ProductAddForm(forms.Form):
    title = forms.CharField(max_length=255, label=_("Title"))
    sizes = forms.CharField(
        max_length=200, required=False, label=_("Sizes"), help_text=_("Comma-separated; empty: no options.")
    )
    price = forms.DecimalField(max_digits=10, decimal_places=2, initial="12.00", label=_("Price"))


class PresseroWebhookForm(forms.Form):
    """Pressero's Admin > Preferences > Webhooks, reduced to what the sandbox needs."""

    url = forms.URLField(label=_("Webhook URL"), max_length=500)
    security_key = forms.CharField(label=_("Security key"), max_length=200)


class FaultForm(forms.ModelForm):
    class Meta:
        model = Shop
        fields = [
            "fault",
            "fault_limit",
            "retry_after",
            "slow_seconds",
            "webhooks_off",
            "fast_webhook_retries",
            "bucket_available",
            "token_lifetime",
            "limit_per_second",
            "limit_per_day",
            "rate_limits_off",
        ]
        labels = {
            "fault": _("Fault"),
            "fault_limit": _("Fault limit"),
            "retry_after": _("Retry after"),
            "slow_seconds": _("Slow seconds"),
            "webhooks_off": _("Webhooks off"),
            "fast_webhook_retries": _("Fast webhook retries"),
            "bucket_available": _("Shopify cost bucket: points available now"),
            "token_lifetime": _("Token lifetime"),
            "limit_per_second": _("Etsy: calls per second"),
            "limit_per_day": _("Etsy: calls per day"),
            "rate_limits_off": _("Rate limits off (Shopify's cost bucket, Etsy's calls per second and day)"),
        }


class ProductsForm(forms.Form):
    """Make the shop big: add products with their variants in one go."""

    products = forms.IntegerField(min_value=1, max_value=100000, initial=10000, label=_("Products"))
    variants = forms.IntegerField(min_value=1, max_value=50, initial=5, label=_("Variants of each"))


class NewShopForm(ProductsForm):
    """A new shop of its own (a test's, a benchmark's), with a catalogue of that size."""

    platform = forms.ChoiceField(choices=[(p, p) for p in ("shopify", "woocommerce")], label=_("Platform"))
    handle = forms.SlugField(max_length=40, label=_("Handle"))
    rate_limits_off = forms.BooleanField(required=False, label=_("Rate limits off"))


def pressero_details(request, shop):
    return {
        "host": request.build_absolute_uri(f"/pressero/{shop.handle}"),
        "username": demo_keys.PRESSERO_USERNAME,
        "password": demo_keys.PRESSERO_PASSWORD,
        "subscriber_id": demo_keys.PRESSERO_SUBSCRIBER_ID,
        "consumer_id": demo_keys.PRESSERO_CONSUMER_ID,
    }


# The order row's buttons: the merchant marks an order paid, or cancels it.
ORDER_CHANGES = {"order_paid": "paid", "order_cancel": "cancelled"}

# The shop page lists this many products, newest first; a big shop's others are counted.
PRODUCTS_SHOWN = 100


def index(request):
    form = NewShopForm(request.POST or None, initial={"products": 20, "variants": 3})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shop = bigshop.make_shop(
            data["platform"],
            data["handle"],
            data["products"],
            data["variants"],
            rate_limits_off=data["rate_limits_off"],
        )
        return redirect("shop", shop.platform, shop.handle)
    return render(request, "sandbox/index.html", {"shops": Shop.objects.all(), "form": form})


def ids_at_platform(order):
    """The order's id and its lines' ids as the platform's API gives them to the app."""
    platform = order.shop.platform
    if platform == Shop.Platform.SHOPIFY:
        return shopify.legacy_id("Order", order.id), [
            shopify.legacy_id("LineItem", shopify.line_pk(order, line)) for line in order.lines
        ]
    if platform == Shop.Platform.ETSY:
        return RECEIPT_ID_BASE + order.id, [
            TRANSACTION_ID_BASE + order.id * 100 + line["line_id"] for line in order.lines
        ]
    if platform == Shop.Platform.WOOCOMMERCE:
        return order.id, [order.id * 100 + line["line_id"] for line in order.lines]
    return order.number, [line["line_id"] for line in order.lines]


def tracking_of(order):
    """What the shop was told of the order's shipping, one line each: Shopify's fulfillments,
    Etsy's receipt shipments, Pressero's shipments ({carrier, number}), and WooCommerce's
    customer notes (its core API has no shipments)."""
    told = [
        {
            "carrier": shipment.get("company") or shipment.get("carrier_name") or shipment.get("carrier", ""),
            "number": shipment.get("number") or shipment.get("tracking_code", ""),
        }
        for shipment in order.shipments
    ]
    told += [{"note": note["note"]} for note in order.notes if note.get("customer_note")]
    return told


def shop(request, platform, handle):
    shop = get_object_or_404(Shop, platform=platform, handle=handle)
    action = request.POST.get("action") if request.method == "POST" else None
    form = FaultForm(request.POST if request.method == "POST" and action is None else None, instance=shop)
    if action == "uninstall":
        shopify.uninstall(shop)
        return redirect(request.path)
    products_form = ProductsForm(
        request.POST if action == "add_products" else None, initial={"products": 10000}
    )
    if action == "add_products" and products_form.is_valid():
        bigshop.add_products(
            shop, products_form.cleaned_data["products"], products_form.cleaned_data["variants"]
        )
        return redirect(request.path)
    order_form = OrderForm(request.POST if action == "order" else None, shop=shop)
    if action == "order" and order_form.is_valid():
        data = order_form.cleaned_data
        lines = [(variant, data["quantity"]) for variant in (data["variant"], data["also"]) if variant]
        orders.place_order(
            shop,
            lines,
            {"name": data["name"], "email": data["email"]},
            paid=not data["unpaid"],
            test=data["test"],
        )
        return redirect(request.path)
    if action in ORDER_CHANGES:
        order = get_object_or_404(Order, shop=shop, id=request.POST.get("order"))
        orders.change_order(order, ORDER_CHANGES[action])
        return redirect(request.path)
    change_form = ProductChangeForm(request.POST if action == "product_change" else None, shop=shop)
    if action == "product_change" and change_form.is_valid():
        data = change_form.cleaned_data
        products.change_product(data["product"], title=data["title"], status=data["status"])
        return redirect(request.path)
    delete_form = ProductDeleteForm(request.POST if action == "product_delete" else None, shop=shop)
    if action == "product_delete" and delete_form.is_valid():  # a product row's Delete button
        products.delete_product(delete_form.cleaned_data["product"])
        return redirect(request.path)
    add_form = ProductAddForm(request.POST if action == "product_add" else None)
    if action == "product_add" and add_form.is_valid():
        data = add_form.cleaned_data
        sizes = [size.strip() for size in data["sizes"].split(",") if size.strip()]
        products.add_product(shop, data["title"], sizes, data["price"])
        return redirect(request.path)
    pressero_form = PresseroWebhookForm(request.POST if action == "pressero_webhook" else None)
    if action == "pressero_webhook" and pressero_form.is_valid():
        shop.webhooks.filter(topic="OrderPlaced").delete()
        shop.webhooks.create(
            topic="OrderPlaced",
            delivery_url=pressero_form.cleaned_data["url"],
            secret=pressero_form.cleaned_data["security_key"],
        )
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        shop = form.save(commit=False)
        if "bucket_available" in form.changed_data:
            shop.bucket_checked_at = timezone.now()  # the bucket refills from this moment
        shop.save()
        return redirect(request.path)
    return render(
        request,
        "sandbox/shop.html",
        {
            "shop": shop,
            "form": form,
            "products": shop.products.prefetch_related("variants").order_by("-id")[:PRODUCTS_SHOWN],
            "product_count": shop.products.count(),
            "products_form": products_form,
            "api_keys": shop.api_keys.all(),
            "webhooks": shop.webhooks.all(),
            "sent": shop.sent_webhooks.all()[:50],
            "order_form": order_form,
            "pressero_form": pressero_form,
            "change_form": change_form,
            "delete_form": delete_form,
            "add_form": add_form,
            "orders": [
                (order, ids_at_platform(order), tracking_of(order))
                for order in shop.orders.order_by("-id")[:20]
            ],
            "store_url": home_url(shop) if shop.platform == Shop.Platform.WOOCOMMERCE else "",
            "pressero": shop.platform == Shop.Platform.PRESSERO and pressero_details(request, shop),
        },
    )


@csrf_exempt
@require_POST
def place_test_order(request, platform, handle):
    """Printfront's "Place test order" button: an order for the shop's first active variant,
    placed and announced exactly as the shop page's order form does. Answers the order's number."""
    shop = get_object_or_404(Shop, platform=platform, handle=handle)
    variant = orders.demo_variant(shop)
    if variant is None:
        return JsonResponse({"error": "The shop has no active product to order."}, status=409)
    order = orders.place_order(
        shop, [(variant, 1)], {"name": "Test Buyer", "email": "test.buyer@example.com"}
    )
    return JsonResponse({"number": order.number, "sku": variant.sku}, status=201)
