"""Webhook deliveries (/hooks/) served by a Django handler of their own, with only the middleware
a delivery needs (settings.DELIVERY_MIDDLEWARE). The browser's middleware (sessions,
authentication, CSRF, messages, locale, CSP, htmx, tenancy) does nothing for a signed POST from
a platform, and cost about a quarter of a delivery's CPU (docs/benchmarks.md, "Webhook ingest")."""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

PREFIX = "/hooks/"


class DeliveryHandler(WSGIHandler):
    """Django's handler, its middleware chain built from DELIVERY_MIDDLEWARE."""

    def load_middleware(self, is_async=False):
        # Django builds the chain from settings.MIDDLEWARE; this runs once, at start-up.
        everything = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.DELIVERY_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = everything

    def get_response(self, request):
        # No health check ("SELECT 1") before a delivery's first statement: it would be a round
        # trip to PostgreSQL as dear as the INSERT. A connection that died fails that statement
        # instead, and the receiver tries once more on a new one (integrations/webhooks.py).
        for connection in connections.all(initialized_only=True):
            connection.health_check_done = True
        return super().get_response(request)


def routed(site):
    """A WSGI application that hands deliveries to a DeliveryHandler and the rest to `site`."""
    deliveries = DeliveryHandler()

    def application(environ, start_response):
        handler = deliveries if environ.get("PATH_INFO", "").startswith(PREFIX) else site
        return handler(environ, start_response)

    return application
