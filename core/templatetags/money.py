"""Amounts of money as the reader writes them."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(amount, currency=""):
    """`{{ order.total|money:order.currency }}`: "1,234.50 EUR" in English, "1.234,50 EUR" in
    Spanish (the active language's separators, always two decimals)."""
    if amount is None or amount == "":
        return ""
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} {currency}".strip()
