"""Odd, long and hostile input to the order lists and the move form: a clear answer, never a 5xx;
another client gets 404."""

import pytest
from django.urls import reverse

from core.tenancy import Role
from orders.tests.helpers import make_order

pytestmark = pytest.mark.django_db
ODD = [
    "",
    "x" * 5000,
    "'; drop table",
    "\x00",
    "2026-13-45",
    "-1",
    "99999999999999999999",
    "%",
    "😀",
    "<script>",
]


def test_odd_input_is_never_a_5xx(client, acme, staff, globex):
    order = make_order(acme.store, number="#1")
    for user, url in [
        (staff, reverse("orders:connect_orders")),
        (acme.user(Role.ADMIN), reverse("orders:orders")),
        (staff, reverse("orders:connect_needs_mapping")),
        (acme.user(Role.ADMIN), reverse("orders:needs_mapping")),
    ]:
        client.force_login(user)
        for value in ODD:
            for name in (
                "q",
                "status",
                "hold",
                "store",
                "client",
                "placed_from",
                "placed_to",
                "from",
                "to",
                "page",
                "tab",
            ):
                r = client.get(url, {name: value})
                assert r.status_code < 500, (url, name, value, r.status_code)
    client.force_login(staff)
    move = reverse("orders:connect_order_move", args=[order.code])
    for value in ODD:
        r = client.post(
            move,
            {
                "target": value,
                "items": value,
                "reason": value,
                "carrier": value,
                "tracking_code": value,
                "tracking_url": value,
            },
        )
        assert r.status_code < 500, (value, r.status_code)
    client.force_login(globex.user(Role.ADMIN))
    assert client.get(reverse("orders:order", args=[order.code])).status_code == 404
