"""The page sweep (issue 10, points 5 and 7): every page of the URL table, in English and in
Spanish, signed out, as staff and as each client role, on a 390 px wide phone. In each page
axe-core finds no serious or critical violation, and nothing is cut off: the page does not
scroll sideways, no table cell lies beyond the screen's edge, no control is out of reach.

One test per visitor and language, so pytest-xdist spreads them; each signs in once and visits
its pages in one browser context. The count of violations of each run (all impacts) is printed
at the end of the test session (conftest.py)."""

from collections import Counter
from datetime import timedelta

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse
from django.utils import timezone

from connect.models import Client, Invitation, hash_token
from core.tenancy import Role
from core.testing import PASSWORD
from integrations.models import WebhookDelivery
from storefronts.models import Store
from tests.urls import CONNECT, PUBLIC, STOREFRONTS, catalog_product

PHONE = {"width": 390, "height": 844}

# What a 390 px screen would hide or cover: the page scrolling sideways, a table cell beyond the
# screen's edges (where only a sideways scroll, if any, would reach it), a cell whose content is
# wider than the cell, the label of a stacked cell (.table--stack) running over the next cell, or
# a control (link, button, field) beyond the screen's edges or cut by a box around it that hides
# or scrolls what overflows it.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const outside = (box, left, right) => box.left < left - 0.5 || box.right > right + 0.5;
  const beyond = (element) => outside(element.getBoundingClientRect(), 0, width);
  const cut = (element) => {
    const box = element.getBoundingClientRect();
    for (let around = element.parentElement; around; around = around.parentElement) {
      if (getComputedStyle(around).overflowX === "visible") continue;
      const edges = around.getBoundingClientRect();
      if (outside(box, edges.left, edges.right)) return true;
    }
    return false;
  };
  const named = (element) => (element.textContent.trim() || element.name || element.outerHTML).slice(0, 40);
  const hidden = [];
  if (document.documentElement.scrollWidth > width) hidden.push("the page is wider than the screen");
  for (const cell of document.querySelectorAll("table tbody td")) {
    if (beyond(cell)) hidden.push(`beyond the edge: ${named(cell)}`);
    if (cell.scrollWidth > cell.clientWidth + 1) hidden.push(`wider than its cell: ${named(cell)}`);
    const label = getComputedStyle(cell, "::before");
    if (cell.dataset.label && label.content !== "none" && parseFloat(label.height) > cell.clientHeight) {
      hidden.push(`label over the next cell: ${cell.dataset.label}`);
    }
  }
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  for (const control of document.querySelectorAll(controls)) {
    // Not shown at all (the closed menu, a closed <details>) is not cut off.
    if (!control.checkVisibility({visibilityProperty: true})) continue;
    if (beyond(control) || cut(control)) hidden.push(`out of reach: ${named(control)}`);
  }
  return hidden;
}"""

IMPACTS = ["critical", "serious", "moderate", "minor"]
# axe-core's run of the whole page: each rule it finds broken, with where (at most 5 places).
AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    nodes: violation.nodes.slice(0, 5).map((node) => node.target.join(" ") + " " + node.failureSummary),
  }));
}"""

# Until every htmx part a page loads at once (hx-trigger="load") is in.
HTMX_SETTLED = "() => !document.querySelector('[hx-trigger=load], .htmx-request')"

# URL names that give no page of their own, by what they answer a GET with
# (test_the_names_skipped_give_no_page checks each answers so).
POST_ONLY = "405: the action of a form on another page"
NOT_HTML = "200, not HTML: a file download, an image, the health check's JSON"
FRAGMENT = "200, a part of a page: htmx asks for it inside the page, checked there"
CALLBACK = "400: a platform's OAuth callback, only meaningful when the platform sends one back"
DEBUG_ONLY = "404: the sent-email pages exist only with DEBUG, for developers"
REDIRECT = "302: goes to another page"
NO_PAGE = {
    "connect:client_access": POST_ONLY,
    "connect:client_access_state": FRAGMENT,
    "connect:invitation_resend": POST_ONLY,
    "connect_stores:delivery_replay": POST_ONLY,
    "orders:connect_store_orders": FRAGMENT,
    "catalog:connect_catalog_variant_active": POST_ONLY,
    "catalog:staff_design_file": NOT_HTML,
    "catalog:connect_template_archive": POST_ONLY,
    "catalog:connect_template_design": NOT_HTML,
    "orders:outbox_retry": POST_ONLY,
    "orders:connect_order_move": POST_ONLY,
    "orders:connect_order_check_files": POST_ONLY,
    "orders:connect_order_release": POST_ONLY,
    "postbacks:connect_rotate": POST_ONLY,
    "postbacks:connect_toggle": POST_ONLY,
    "postbacks:connect_remove": POST_ONLY,
    "postbacks:connect_test": POST_ONLY,
    "postbacks:connect_resend": POST_ONLY,
    "workflows:rule_delete": POST_ONLY,
    "workflows:rule_move": POST_ONLY,
    "workflows:line_add": POST_ONLY,
    "workflows:line_active": POST_ONLY,
    "debug_mail": DEBUG_ONLY,
    "debug_mail_html": DEBUG_ONLY,
    "integrations:shopify_callback": CALLBACK,
    "integrations:etsy_callback": CALLBACK,
    "integrations:store_connection": FRAGMENT,
    "integrations:store_verify": POST_ONLY,
    "integrations:store_disconnect": POST_ONLY,
    "integrations:delivery_replay": POST_ONLY,
    "orders:order_live": FRAGMENT,
    "orders:order_check_files": POST_ONLY,
    "orders:store_orders": FRAGMENT,
    "orders:store_test_order": POST_ONLY,
    "catalog:store_sync": FRAGMENT,
    "catalog:store_sync_start": POST_ONLY,
    "storefronts:switch": POST_ONLY,
    "catalog:bulk_export": NOT_HTML,
    "catalog:bulk_import": POST_ONLY,
    "catalog:import_status": FRAGMENT,
    "catalog:import_apply": POST_ONLY,
    "orders:manual_item_row": FRAGMENT,
    "orders:order_import_start": POST_ONLY,
    "orders:manual_import_template": NOT_HTML,
    "storefronts:member_remove": POST_ONLY,
    "storefronts:invitation_row": FRAGMENT,
    "storefronts:invitation_resend": POST_ONLY,
    "storefronts:invitation_cancel": POST_ONLY,
    "catalog:product_connect": POST_ONLY,
    "catalog:catalog_search": FRAGMENT,
    "catalog:product_files": FRAGMENT,
    "catalog:variant_disconnect": POST_ONLY,
    "catalog:variant_check": POST_ONLY,
    "catalog:design_file": NOT_HTML,
    "catalog:publication_design_file": NOT_HTML,
    "catalog:publication_preview": NOT_HTML,
    "catalog:publication_publish": POST_ONLY,
    "catalog:publication_status": FRAGMENT,
    "postbacks:rotate": POST_ONLY,
    "postbacks:toggle": POST_ONLY,
    "postbacks:remove": POST_ONLY,
    "postbacks:test": POST_ONLY,
    "postbacks:resend": POST_ONLY,
    "catalog:publication_save_template": POST_ONLY,
    "catalog:product_save_template": POST_ONLY,
    "catalog:template_archive": POST_ONLY,
    "catalog:template_design": NOT_HTML,
    "catalog:template_image": NOT_HTML,
    "hooks:woocommerce": POST_ONLY,
    "hooks:pressero": POST_ONLY,
    "hooks:shopify": POST_ONLY,
    "hooks:shopify_privacy": POST_ONLY,
    "set_language": POST_ONLY,
    "health": NOT_HTML,
    "home": REDIRECT,
    "account_set_password": REDIRECT,  # to "Change password": everyone here has a password
    "account_confirm_login_code": REDIRECT,  # sign-in by emailed code is off
    "account_request_reauthentication_code": REDIRECT,  # so is confirming by code
    "account_confirm_reauthentication_code": REDIRECT,
}
# Pages that show another form when their query says so: swept in that state too.
STATES = {
    "catalog:add_product": lambda world, hooks: f"?store={hooks.code}&product={catalog_product().code}",
    "catalog:product": lambda world, hooks: f"?catalog={catalog_product().code}",
    "postbacks:add": lambda world, hooks: "?kind=email",
    "postbacks:connect_add": lambda world, hooks: "?kind=email",
}
# Pages of one's own account: the same for every role of a client, so swept as staff and Admin.
ACCOUNT = ["account_change_password", "account_email", "account_reauthenticate", "account_logout"]
SIGNED_OUT = "signed-out"
VISITORS = [SIGNED_OUT, "staff", *Role]
TOKEN = "sweep-invitation-token"


def crowd(world):
    """Long names, addresses and reasons: what makes tables too wide. Returns a store that
    receives webhooks, with deliveries in its log."""
    reason = (
        "WooCommerce refused our key (consumer key invalid). Connect the store again with a Read/Write key."
    )
    for number in range(3):
        Store.objects.create(
            client=world.client,
            platform="woocommerce",
            name=f"A rather long store name, number {number}",
            state="failing",
            state_reason=reason,
        )
    store = Store.objects.create(client=world.client, platform="shopify", name="Hooks shop")
    world.members[Role.STORE_MANAGER].stores.add(store)
    for number in range(3):
        WebhookDelivery.objects.create(
            store=store,
            platform="shopify",
            topic="orders/updated",
            delivery_key=str(number),
            body=b"{}",
            signature_valid=True,
            state="failed" if number == 0 else "received",
            error="The delivery's body is not what its topic says: " + "an-unexpectedly-long-field-name-" * 4,
        )
    Invitation.objects.create(
        kind="member",
        client=world.client,
        email="someone.with.a.rather.long.address@acme-apparel.example",
        first_name="Someone",
        last_name="Long",
        role=Role.STORE_MANAGER,
        state="failed",
    )
    Client.objects.create(
        name="Client with a very long name indeed", reference_id="A-VERY-LONG-REFERENCE-ID-1"
    )
    return store


def public_pages(world, staff):
    """(name, URL, status) of the pages anyone may open."""
    Invitation.objects.create(
        kind="member",
        client=world.client,
        email="new.person@acme.example",
        first_name="New",
        last_name="Person",
        role=Role.VIEWER,
        state="sent",
        token_hash=hash_token(TOKEN),
        expires_at=timezone.now() + timedelta(days=7),
    )
    reset = {"uidb36": user_pk_to_url_str(staff), "key": default_token_generator.make_token(staff)}
    names = sorted(PUBLIC - set(NO_PAGE) - set(ACCOUNT) - {"accept_invitation", "account_confirm_email"})
    return [
        *(
            (name, reverse(name, kwargs=reset if name == "account_reset_password_from_key" else None), 200)
            for name in names
        ),
        ("accept_invitation", reverse("accept_invitation", args=[TOKEN]), 200),
        ("accept_invitation (used up)", reverse("accept_invitation", args=["no-such-token"]), 404),
        ("account_confirm_email (expired)", reverse("account_confirm_email", args=["no-such-key"]), 200),
        ("page not found", "/no-such-page/", 404),
    ]


def private_pages(table, world, hooks, account):
    """(name, URL, status) of the pages of `table` (tests/urls.py) and their STATES, the page
    of the store `hooks` with its deliveries, and of one's own account if `account`. Every
    object is made before the first visit, so the lists have rows."""
    names = sorted(set(table) - set(NO_PAGE))
    urls = [(name, reverse(name, kwargs=table[name](world)), 200) for name in names]
    for name, url, status in list(urls):
        if name in STATES:
            query = STATES[name](world, hooks)
            urls.append((name + query, url + query, status))
    store_page = "connect_stores:store" if table is CONNECT else "integrations:store"
    urls.append((f"{store_page} (webhooks)", reverse(store_page, args=[hooks.code]), 200))
    return urls + [(name, reverse(name), 200) for name in ACCOUNT if account]


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.form [type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def findings(page, name, impacts):
    """What is wrong with the page as it is now: axe-core's serious and critical violations and
    whatever is cut off. `impacts` counts axe's violations of every impact."""
    problems = []
    for violation in page.evaluate(AXE_RUN):
        impacts[violation["impact"]] += 1
        if violation["impact"] in ("serious", "critical"):
            problems.append(f"{name}: {violation['impact']} {violation['id']}: {violation['nodes']}")
    return problems + [f"{name}: {hidden}" for hidden in page.evaluate(CUT_OFF)]


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("visitor", VISITORS)
def test_every_page(visitor, language, axe_core, browser, live_server, acme, staff, record_property):
    hooks = crowd(acme)
    if visitor == SIGNED_OUT:
        pages = public_pages(acme, staff)
    else:
        table = CONNECT if visitor == "staff" else STOREFRONTS
        pages = private_pages(table, acme, hooks, account=visitor in ("staff", Role.ADMIN))
    # axe comes in through the browser itself, before each page's own scripts: the page's
    # Content-Security-Policy would refuse it as an inline <script>, and the policy stays on, so
    # each page is laid out (styles, scripts) as a visitor sees it.
    # Reduced motion: the menu is in place the moment it opens, not sliding in.
    context = browser.new_context(viewport=PHONE, locale=language, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    context.add_init_script(path=axe_core)
    page = context.new_page()
    if visitor != SIGNED_OUT:
        person = staff if visitor == "staff" else acme.user(visitor)
        person.language = language  # as the language switch keeps it (core.i18n)
        person.save(update_fields=["language"])
        sign_in(page, live_server.url, person)

    impacts, problems, forbidden = Counter(), [], []
    menu_seen = visitor == SIGNED_OUT  # signed-out pages have no menu
    for name, url, status in pages:
        response = page.goto(live_server.url + url)
        if response.status == 403 and visitor in Role:
            # Pages this role may not open all answer the same 403 page: View only checks it.
            forbidden.append(name)
            if len(forbidden) > 1 or visitor != Role.VIEWER:
                continue
        else:
            assert response.status == status, (name, response.status)
        page.wait_for_function(HTMX_SETTLED)
        assert page.locator("html").get_attribute("lang") == language, name
        problems += findings(page, name, impacts)
        if not menu_seen and response.status == 200:
            # Closed, the phone's menu is hidden from axe as from the eye: once open, it is checked.
            page.locator(".nav-toggle").click()
            problems += findings(page, f"{name}, menu open", impacts)
            menu_seen = True
    context.close()

    counts = ", ".join(f"{impacts[impact]} {impact}" for impact in IMPACTS)
    summary = f"{visitor} in {language}: {len(pages)} pages, {impacts.total()} violations ({counts})"
    record_property("a11y", f"{summary}, {len(forbidden)} answered 403")
    assert not problems, "\n".join(problems)


def answers_as_said(response, reason):
    html = response.get("Content-Type", "").startswith("text/html")
    return {
        POST_ONLY: response.status_code == 405,
        NOT_HTML: response.status_code == 200 and not html,
        FRAGMENT: response.status_code == 200 and html and b"<html" not in response.content,
        CALLBACK: response.status_code == 400,
        DEBUG_ONLY: response.status_code == 404,
        REDIRECT: response.status_code == 302,
    }[reason]


def test_the_names_skipped_give_no_page(client, acme, staff):
    """Each URL name the sweep skips answers a GET as NO_PAGE says, so a page that comes to
    answer under a skipped name is swept."""
    tables = [(CONNECT, staff), (STOREFRONTS, acme.user(Role.ADMIN)), (dict.fromkeys(PUBLIC), None)]
    assert set(NO_PAGE) <= PUBLIC | set(CONNECT) | set(STOREFRONTS), "NO_PAGE names a URL no longer there"
    wrong = []
    for table, person in tables:
        client.logout()
        if person:
            client.force_login(person)
        for name in sorted(set(table) & set(NO_PAGE)):
            kwargs = table[name](acme) if table[name] else None
            if name.startswith("hooks:") and name != "hooks:shopify_privacy":
                kwargs = {"code": acme.store.code}
            response = client.get(reverse(name, kwargs=kwargs))
            if not answers_as_said(response, NO_PAGE[name]):
                wrong.append(f"{name}: {response.status_code} {response.get('Content-Type')}")
    assert not wrong
