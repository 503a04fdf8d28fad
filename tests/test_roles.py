"""Each role is allowed and refused exactly as core.tenancy.ROLE_ACTIONS says, on every
Storefronts page (the action a page needs is read from its view)."""

import pytest
from django.urls import resolve, reverse

from core.tenancy import ROLE_ACTIONS, Action, Role, role_can
from tests.urls import STOREFRONTS


def test_the_role_table():
    assert ROLE_ACTIONS[Role.ADMIN] == set(Action)
    assert Action.MANAGE_USERS not in ROLE_ACTIONS[Role.STORE_MANAGER]
    assert ROLE_ACTIONS[Role.ORDER_MANAGER] == {
        Action.VIEW_DASHBOARD,
        Action.VIEW_CATALOG,
        Action.VIEW_ORDERS,
        Action.MANAGE_ORDERS,
    }
    assert all(action.value.endswith(".view") for action in ROLE_ACTIONS[Role.VIEWER])
    assert all(Action.VIEW_CATALOG in actions for actions in ROLE_ACTIONS.values())


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(STOREFRONTS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_each_role_per_the_table(client, acme, role, name, method):
    url = reverse(name, kwargs=STOREFRONTS[name](acme))
    action = resolve(url).func.required_action
    client.force_login(acme.user(role))
    response = getattr(client, method)(url)
    if role_can(role, action):
        # Allowed: whatever the page answers to an empty request, it is not a refusal.
        assert response.status_code not in (401, 403, 404), (name, role, response.status_code)
        if response.status_code == 302:
            assert not response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == 403, (name, role, response.status_code)


def test_order_manager_sees_no_user_management_link(client, acme):
    client.force_login(acme.user(Role.ORDER_MANAGER))
    response = client.get(reverse("storefronts:dashboard"))
    assert reverse("storefronts:users") not in response.text
    client.force_login(acme.user(Role.ADMIN))
    assert reverse("storefronts:users") in client.get(reverse("storefronts:dashboard")).text


def test_only_admins_and_order_managers_place_and_import_manual_orders(client, acme):
    """Orders of a manual store are placed and imported by those who manage orders, never by the
    Store Manager of that very store."""
    pages = [
        reverse(name, kwargs={"code": acme.store.code})
        for name in ("orders:manual_place", "orders:manual_import")
    ]
    for role in Role:
        client.force_login(acme.user(role))
        allowed = role in (Role.ADMIN, Role.ORDER_MANAGER)
        assert [client.get(page).status_code for page in pages] == [200 if allowed else 403] * 2, role


def test_order_managers_act_on_orders_viewers_look_store_managers_see_none(client, acme):
    from orders.tests.helpers import make_order

    order = make_order(acme.store, number="#77")
    page = reverse("orders:order", kwargs={"code": order.code})
    check = reverse("orders:order_check_files", kwargs={"code": order.code})
    client.force_login(acme.user(Role.ORDER_MANAGER))
    assert client.get(page).status_code == 200
    assert client.post(check).status_code == 302  # allowed (nothing to check: said so, nothing done)
    client.force_login(acme.user(Role.VIEWER))
    assert client.get(page).status_code == 200 and client.post(check).status_code == 403
    client.force_login(acme.user(Role.STORE_MANAGER))
    for url in (page, reverse("orders:orders"), reverse("orders:needs_mapping")):
        assert client.get(url).status_code == 403, url
    assert reverse("orders:orders") not in client.get(reverse("storefronts:dashboard")).text


def test_only_admins_set_up_postbacks(client, acme):
    """Postbacks send order data to any address the person names: Admins only, not even Order
    Managers; the Postbacks link shows to Admins alone."""
    assert {role for role in Role if role_can(role, Action.MANAGE_POSTBACKS)} == {Role.ADMIN}
    for role in Role:
        client.force_login(acme.user(role))
        expected = 200 if role == Role.ADMIN else 403
        assert client.get(reverse("postbacks:endpoints")).status_code == expected, role
        link_shown = reverse("postbacks:endpoints") in client.get(reverse("storefronts:dashboard")).text
        assert link_shown == (role == Role.ADMIN), role


def test_workflows_are_staff_s_alone(client, acme, staff):
    """Connect > Workflows, its Try it and the release of a held order: staff open them; every
    role of a client is refused (403), whatever it owns."""
    from orders.tests.helpers import make_order
    from tests.urls import production_line, workflow_rule

    order = make_order(acme.store, number="#78")
    pages = [
        reverse("workflows:rules"),
        reverse("workflows:rule_add"),
        reverse("workflows:rule_edit", kwargs={"code": workflow_rule(acme).code}),
        reverse("orders:workflow_try"),
    ]
    actions = [
        reverse("workflows:rule_delete", kwargs={"code": workflow_rule(acme).code}),
        reverse("workflows:rule_move", kwargs={"code": workflow_rule(acme).code}),
        reverse("workflows:line_add"),
        reverse("workflows:line_active", kwargs={"code": production_line().code}),
        reverse("orders:connect_order_release", kwargs={"code": order.code}),
    ]
    for role in Role:
        client.force_login(acme.user(role))
        assert [client.get(url).status_code for url in pages] == [403] * len(pages), role
        assert [client.post(url).status_code for url in actions] == [403] * len(actions), role
    client.force_login(staff)
    assert [client.get(url).status_code for url in pages] == [200] * len(pages)
    assert reverse("workflows:rules") in client.get(reverse("orders:connect_orders")).text  # in the nav
