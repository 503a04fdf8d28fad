"""The failure switches of a demo shop, applied before any API answer."""

import time

from django.db.models import F
from django.http import JsonResponse

from .models import Shop


def apply_fault(shop):
    """An error response for the shop's current fault, or None to answer normally.
    (A revoked shop is refused by each platform's own authentication, in its own words.)"""
    if shop.fault and shop.fault_limit:
        # Count this failure; the last one switches the fault off.
        Shop.objects.filter(pk=shop.pk).update(fault_limit=F("fault_limit") - 1)
        if shop.fault_limit == 1:
            Shop.objects.filter(pk=shop.pk).update(fault="")
    if shop.fault == Shop.Fault.RATE_LIMITED:
        response = JsonResponse({"errors": "Exceeded the rate limit; retry later."}, status=429)
        response["Retry-After"] = str(shop.retry_after)
        return response
    if shop.fault == Shop.Fault.SERVER_ERROR:
        return JsonResponse({"errors": "Service temporarily unavailable."}, status=503)
    if shop.fault == Shop.Fault.SLOW:
        time.sleep(shop.slow_seconds)
    return None
