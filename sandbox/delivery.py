"""Sending webhooks from the sandbox to the app that registered them, and logging the answer."""

import requests

from .models import SentWebhook

TIMEOUT = 10


def send(shop, topic, url, body, headers):
    """POST one delivery as the platform would (no redirects followed) and log the outcome."""
    log = SentWebhook(
        shop=shop, topic=topic, delivery_url=url, body=body.decode() if isinstance(body, bytes) else body
    )
    if shop.webhooks_off:
        log.error = "Not sent: webhooks are switched off for this shop."
    else:
        try:
            response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)
        except requests.RequestException as error:
            log.error = f"{type(error).__name__}: {error}"[:500]
        else:
            log.response_status, log.response_body = response.status_code, response.text[:2000]
    log.save()
    return log
