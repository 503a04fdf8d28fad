"""The sandbox's own pages: the demo shops, each with its catalogue, credentials and
failure switches."""

from django import forms
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from . import demo_keys, shopify
from .models import Shop
from .woocommerce import home_url


class FaultForm(forms.ModelForm):
    class Meta:
        model = Shop
        fields = [
            "fault",
            "fault_limit",
            "retry_after",
            "slow_seconds",
            "webhooks_off",
            "bucket_available",
            "token_lifetime",
        ]
        labels = {"bucket_available": "Shopify cost bucket: points available now"}


def pressero_details(request, shop):
    return {
        "host": request.build_absolute_uri(f"/pressero/{shop.handle}"),
        "username": demo_keys.PRESSERO_USERNAME,
        "password": demo_keys.PRESSERO_PASSWORD,
        "subscriber_id": demo_keys.PRESSERO_SUBSCRIBER_ID,
        "consumer_id": demo_keys.PRESSERO_CONSUMER_ID,
    }


def index(request):
    return render(request, "sandbox/index.html", {"shops": Shop.objects.all()})


def shop(request, platform, handle):
    shop = get_object_or_404(Shop, platform=platform, handle=handle)
    form = FaultForm(request.POST or None, instance=shop)
    if request.method == "POST" and request.POST.get("action") == "uninstall":
        shopify.uninstall(shop)
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
            "products": shop.products.prefetch_related("variants"),
            "api_keys": shop.api_keys.all(),
            "webhooks": shop.webhooks.all(),
            "sent": shop.sent_webhooks.all()[:50],
            "store_url": home_url(shop) if shop.platform == Shop.Platform.WOOCOMMERCE else "",
            "pressero": shop.platform == Shop.Platform.PRESSERO and pressero_details(request, shop),
        },
    )
