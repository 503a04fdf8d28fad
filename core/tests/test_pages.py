from django.urls import reverse

from core.tenancy import Role


def test_health(client, db):
    response = client.get(reverse("health"))
    assert response.json() == {"status": "ok"}


def test_home_sends_each_person_to_their_side(client, staff, acme):
    assert client.get(reverse("home")).url == reverse("account_login")
    client.force_login(staff)
    assert client.get(reverse("home")).url == reverse("connect:clients")
    client.force_login(acme.user(Role.VIEWER))
    assert client.get(reverse("home")).url == reverse("storefronts:dashboard")


def test_sign_in_page_offers_no_sign_up(client, db):
    response = client.get(reverse("account_login"))
    assert "Forgot your password?" in response.text
    assert reverse("account_signup") not in response.text
    assert client.get(reverse("account_signup")).status_code == 200
    assert "Sign Up Closed" in client.get(reverse("account_signup")).text


def test_login_is_rate_limited(client, acme, settings):
    email = acme.user(Role.ADMIN).email
    statuses = [
        client.post(reverse("account_login"), {"login": email, "password": "wrong"}).status_code
        for _ in range(8)
    ]
    response = client.post(reverse("account_login"), {"login": email, "password": "wrong"})
    assert statuses[0] == 200
    assert response.status_code == 429 or "Too many failed login attempts" in response.text
