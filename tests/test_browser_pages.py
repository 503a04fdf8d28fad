"""Pages in a real browser: invitation states that follow the worker without a reload. (Tables
that fit a phone: tests/test_browser_a11y.py, on every page.)"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from connect.models import Client, Invitation
from connect.tasks import send_invitation
from core.tenancy import Role
from core.testing import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def pending_invitation(client, **fields):
    """An invitation waiting for the worker. Made directly, not through the services, so no
    task is left queued on the in-process broker for a later test's worker to pick up."""
    return Invitation.objects.create(
        client=client, email="pat@example.com", first_name="Pat", last_name="P", state="pending", **fields
    )


def send_while_watching(page, invitation):
    """Run the worker's task for `invitation` while `page` stays open, and return a check
    that the page was not reloaded meanwhile."""
    page.evaluate("window.stillTheSamePage = true")
    send_invitation.apply(args=[invitation.id])
    return lambda: page.evaluate("window.stillTheSamePage === true")


def test_connect_follows_the_admin_invitation(page, live_server, staff, settings):
    settings.SITE_URL = live_server.url
    client = Client.objects.create(name="Acme Apparel", storefronts_enabled=True)
    invitation = pending_invitation(client, kind="access", role=Role.ADMIN)
    sign_in(page, live_server.url, staff.email)
    page.goto(live_server.url + reverse("connect:client_settings", args=[client.code]))
    expect(page.locator("#access-state")).to_have_text("Sending invitation")

    same_page = send_while_watching(page, invitation)
    expect(page.locator("#access-state")).to_have_text("Invitation sent")
    expect(page.locator("#invitation-state")).to_contain_text("Invitation sent")
    expect(page.locator("#invitation-state")).to_contain_text("Link expires")
    # The change is read out, once, by the page's live region.
    expect(page.locator("#announcer")).to_have_text("Invitation sent")
    assert same_page()


def test_user_management_follows_a_new_invitation(page, live_server, acme, settings):
    settings.SITE_URL = live_server.url
    invitation = pending_invitation(acme.client, kind="member", role=Role.VIEWER)
    sign_in(page, live_server.url, acme.user(Role.ADMIN).email)
    page.goto(live_server.url + reverse("storefronts:users"))
    row = page.locator(f"#invitation-{invitation.code}")
    expect(row).to_contain_text("Sending invitation")

    same_page = send_while_watching(page, invitation)
    expect(row).to_contain_text("Invitation sent")
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"
    assert same_page()
