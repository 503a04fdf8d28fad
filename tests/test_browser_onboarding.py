"""The whole onboarding in a real browser: staff creates a client and switches on access,
the admin sets a password from the emailed link and adds an Order Manager, who signs in
and cannot open User management."""

import re
import time

import pytest
from django.core import mail

from core.testing import PASSWORD, invitation_link
from storefronts.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def wait_for_email(count, timeout=20):
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) >= count, "the worker sent no invitation"
    return mail.outbox[count - 1]


def sign_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def set_password(page, link, password):
    page.goto(link)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Set password and sign in").click()


def test_onboarding_in_the_browser(live_server, celery_worker, browser, staff, settings):
    settings.SITE_URL = live_server.url
    base = live_server.url
    staff_page = browser.new_page()

    sign_in(staff_page, base, staff.email, PASSWORD)
    staff_page.get_by_role("link", name="Create client").first.click()
    staff_page.get_by_label("Name").fill("Acme Apparel")
    staff_page.get_by_label("Reference ID").fill("ACME")
    staff_page.get_by_role("button", name="Create client").click()
    assert staff_page.get_by_role("heading", name="Acme Apparel").is_visible()

    staff_page.get_by_role("link", name="Settings").click()
    staff_page.get_by_label("Storefronts access").check()
    staff_page.get_by_label("Email").fill("ada@acme.example")
    staff_page.get_by_label("First name").fill("Ada")
    staff_page.get_by_label("Last name").fill("Lovelace")
    staff_page.get_by_role("button", name="Submit").click()
    assert staff_page.get_by_text("An invitation is on its way to ada@acme.example").is_visible()

    admin_link, _token = invitation_link(wait_for_email(1))
    staff_page.reload()
    assert staff_page.locator("#invitation-state").get_by_text("Invitation sent").is_visible()

    admin_page = browser.new_context().new_page()
    set_password(admin_page, admin_link, "Ada-sets-a-passphrase-1")
    assert admin_page.get_by_role("heading", name="Next: connect a store").is_visible()
    staff_page.reload()
    assert staff_page.locator("#invitation-state").get_by_text("Active").is_visible()

    admin_page.get_by_role("link", name="User management").click()
    admin_page.get_by_role("link", name="Add user").click()
    admin_page.get_by_label("Email").fill("oscar@acme.example")
    admin_page.get_by_label("First name").fill("Oscar")
    admin_page.get_by_label("Last name").fill("Ortiz")
    admin_page.get_by_label("Role").select_option(label="Order Manager")
    admin_page.get_by_role("button", name="Send invitation").click()
    assert admin_page.get_by_text("Invitation sent to oscar@acme.example").is_visible()

    manager_link, _token = invitation_link(wait_for_email(2))
    manager_page = browser.new_context().new_page()
    set_password(manager_page, manager_link, "Oscar-sets-a-passphrase-2")
    manager_page.get_by_role("button", name="Sign out").click()
    sign_in(manager_page, base, "oscar@acme.example", "Oscar-sets-a-passphrase-2")
    assert manager_page.get_by_role("heading", name=re.compile("Welcome")).is_visible()
    assert manager_page.get_by_role("link", name="User management").count() == 0
    response = manager_page.goto(f"{base}/storefronts/settings/users/")
    assert response.status == 403
    assert manager_page.get_by_role("heading", name="You don't have access to this page").is_visible()
    assert Membership.objects.get(user__email="oscar@acme.example").role == "order_manager"
