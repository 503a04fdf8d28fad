"""Every page carries a Content-Security-Policy: our own scripts and styles only, the one inline
script allowed by its per-request nonce. The pages, and htmx on them, run under it with no
violation in a real browser."""

import re

import pytest
from django.urls import reverse

from core.tenancy import Role
from core.testing import PASSWORD

POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'nonce-{nonce}'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


def nonce_of(header):
    """The header's nonce, after checking the header is exactly POLICY (in any order)."""
    directives = dict(part.strip().split(" ", 1) for part in header.split(";"))
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]{16,})'", directives.get("script-src", ""))
    assert nonce, header
    assert directives == {name: value.format(nonce=nonce[1]) for name, value in POLICY.items()}
    return nonce[1]


def test_every_page_has_the_policy_and_its_inline_script_the_nonce(client, staff, acme):
    pages = [reverse("account_login"), "/no-such-page/"]
    responses = [client.get(url) for url in pages]
    client.force_login(staff)
    responses.append(client.get(reverse("connect:clients")))
    client.force_login(acme.user(Role.ADMIN))
    responses.append(client.get(reverse("integrations:store", args=[acme.store.code])))
    assert [response.status_code for response in responses] == [200, 404, 200, 200]
    nonces = set()
    for response in responses:
        nonce = nonce_of(response["Content-Security-Policy"])
        assert f'<script nonce="{nonce}">' in response.text
        nonces.add(nonce)
    assert len(nonces) == len(responses), "a nonce is never reused"


def test_a_redirect_has_it_too(client):
    response = client.get(reverse("storefronts:dashboard"))
    assert response.status_code == 302
    assert "default-src 'self'" in response["Content-Security-Policy"]


# --- In a real browser --------------------------------------------------------------------------

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

# Adds an element htmx must process: on load it fetches this same page and swaps in its <h1>.
HTMX_PROBE = """
() => {
  const probe = document.createElement("div");
  probe.id = "htmx-probe";
  probe.setAttribute("hx-get", window.location.pathname);
  probe.setAttribute("hx-trigger", "load");
  probe.setAttribute("hx-select", "h1");
  document.body.appendChild(probe);
  htmx.process(probe);
}
"""


def visit(page, url):
    """Open `url`, check the policy came with it, and that htmx fetches and swaps under it."""
    response = page.goto(url)
    nonce_of(response.headers["content-security-policy"])
    assert page.evaluate("document.documentElement.className") == "js"  # the nonce'd inline script ran
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    page.evaluate(HTMX_PROBE)
    page.locator("#htmx-probe h1").wait_for()


@pytest.mark.browser
def test_pages_and_htmx_run_without_a_violation(page, browser, live_server, staff, acme):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    visit(page, f"{live_server.url}{reverse('account_login')}")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    visit(page, f"{live_server.url}{reverse('connect:clients')}")
    assert page.evaluate("window.cspViolations") == []

    page.context.clear_cookies()
    visit(page, f"{live_server.url}{reverse('account_login')}")
    page.get_by_label("Email").fill(acme.user(Role.ADMIN).email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    visit(page, f"{live_server.url}{reverse('integrations:store', args=[acme.store.code])}")
    assert page.locator("#main").get_by_role("heading", name=acme.store.name).is_visible()
    assert page.evaluate("window.cspViolations") == []
    assert [text for text in console if "Content Security Policy" in text] == []
