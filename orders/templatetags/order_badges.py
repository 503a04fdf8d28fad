"""Badges for an order's or item's status and an order's hold (tags, not includes: the production
queue shows a hundred of them on a page), and which URLs from a shop may become links."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from orders.models import Hold, ItemStatus

register = template.Library()

S = ItemStatus
STATUS_BADGE = {
    S.FAILED: "badge--fail",
    S.IN_PRODUCTION: "badge--wait",
    S.PRINTED: "badge--wait",
    S.PACKAGED: "badge--wait",
    S.SHIPPED: "badge--ok",
    S.IN_TRANSIT: "badge--ok",
    S.DELIVERED: "badge--ok",
    S.RETURNED: "badge--off",
    S.CANCELED: "badge--off",
}


@register.simple_tag
def status_badge(status):
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_BADGE.get(status, "badge--info"), S(status).label
    )


@register.simple_tag
def hold_badge(order):
    """Why the order is held (nothing when it is not), and whether the shop canceled it."""
    badges = []
    if order.hold:
        tone = "badge--wait" if order.hold == Hold.FILE_PENDING else "badge--fail"
        label = _("Held: %(hold)s") % {"hold": Hold(order.hold).label}
        badges.append(format_html('<span class="badge {}">{}</span>', tone, label))
    if order.cancelled_in_shop:
        badges.append(format_html('<span class="badge badge--off">{}</span>', _("Canceled in the shop")))
    return format_html_join(" ", "{}", ((badge,) for badge in badges))


@register.filter
def web_url(url):
    """Whether a URL a shop sent may be a link: http(s) only, never javascript: or data:."""
    return str(url).lower().startswith(("https://", "http://"))
