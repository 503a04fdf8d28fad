"""Sending webhooks from the sandbox to the app that registered them, and logging the answer."""

import threading
import time

import requests
from django.db import connection

from .models import SentWebhook, Shop

TIMEOUT = 10


def send(shop, topic, url, body, headers, *, timeout=TIMEOUT, attempt=1):
    """POST one delivery as the platform would (no redirects followed) and log the outcome."""
    log = SentWebhook(
        shop=shop,
        topic=topic,
        delivery_url=url,
        body=body.decode() if isinstance(body, bytes) else body,
        attempt=attempt,
    )
    if shop.webhooks_off:
        log.error = "Not sent: webhooks are switched off for this shop."
    else:
        try:
            response = requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        except requests.RequestException as error:
            log.error = f"{type(error).__name__}: {error}"[:500]
        else:
            log.response_status, log.response_body = response.status_code, response.text[:2000]
    log.save()
    return log


def send_with_retries(shop, topic, url, body, headers, *, timeout, delays, on_give_up):
    """Send now; if that is not answered with a 2xx, send the same delivery again in the
    background after each of `delays` (seconds), and call `on_give_up` when the last one fails."""
    log = send(shop, topic, url, body, headers, timeout=timeout)
    if not log.delivered and not shop.webhooks_off:
        retry = (shop.pk, topic, url, body, headers, timeout, delays, on_give_up)
        threading.Thread(target=retry_in_background, args=retry, daemon=True).start()
    return log


def retry_in_background(shop_id, topic, url, body, headers, timeout, delays, on_give_up):
    try:
        for attempt, delay in enumerate(delays, start=2):
            time.sleep(delay)
            shop = Shop.objects.get(pk=shop_id)
            if send(shop, topic, url, body, headers, timeout=timeout, attempt=attempt).delivered:
                return
        on_give_up()
    finally:
        connection.close()  # this thread's own connection
