"""Etsy's rate limits, counted per access token as Etsy's docs say: calls per second (QPS) are
checked first, then calls per rolling 24 hours (QPD), kept in hourly buckets. Every counted
answer carries the x-limit-* and x-remaining-* headers; a refused call gets 429 in Etsy's words.

What Etsy answered when the limits were exceeded (etsy/open-api issues #198 and #256): per second,
`{"error": "Exceeded per second rate limit"}` with X-Remaining-This-Second: 0 and no Retry-After;
per day, `{"error": "Exceeded daily rate limit"}` with x-remaining-today: 0 and a retry-after.
"""

import math
import time

from django.db import transaction
from django.db.models import F
from django.http import JsonResponse

from .models import AccessToken

HOUR = 3600
DAY_HOURS = 24


def limit_headers(shop, remaining_second, remaining_today):
    return {
        "x-limit-per-second": str(shop.limit_per_second),
        "x-remaining-this-second": str(max(remaining_second, 0)),
        "x-limit-per-day": str(shop.limit_per_day),
        "x-remaining-today": str(max(remaining_today, 0)),
    }


def too_many(message, headers):
    response = JsonResponse({"error": message}, status=429)
    for name, value in headers.items():
        response[name] = value
    return response


@transaction.atomic
def take_call(shop, token):
    """Count one call of `token`: (headers for the answer, None), or (None, a 429 response)."""
    # A write first, so concurrent calls of one token queue here (a row lock; SQLite's write lock).
    AccessToken.objects.filter(pk=token.pk).update(recent_calls=F("recent_calls"))
    token.refresh_from_db(fields=["recent_calls", "calls_per_hour"])
    now = time.time()
    this_hour = int(now // HOUR)
    recent = [at for at in token.recent_calls if at > now - 1]
    hours = {hour: n for hour, n in token.calls_per_hour.items() if int(hour) > this_hour - DAY_HOURS}
    used_today = sum(hours.values())
    if len(recent) >= shop.limit_per_second:
        headers = {"x-limit-per-second": str(shop.limit_per_second), "x-remaining-this-second": "0"}
        return None, too_many("Exceeded per second rate limit", headers)
    if used_today >= shop.limit_per_day:
        oldest = min((int(hour) for hour in hours), default=this_hour)
        headers = limit_headers(shop, shop.limit_per_second - len(recent), 0)
        headers["retry-after"] = str(math.ceil((oldest + DAY_HOURS) * HOUR - now))
        return None, too_many("Exceeded daily rate limit", headers)
    recent.append(now)
    hours[str(this_hour)] = hours.get(str(this_hour), 0) + 1
    AccessToken.objects.filter(pk=token.pk).update(recent_calls=recent, calls_per_hour=hours)
    return limit_headers(shop, shop.limit_per_second - len(recent), shop.limit_per_day - used_today - 1), None
