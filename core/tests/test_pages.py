from django.urls import reverse

from core.tenancy import Role


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
    assert "Accounts are by invitation" in client.get(reverse("account_signup")).text


def test_login_is_rate_limited(client, acme, settings):
    email = acme.user(Role.ADMIN).email
    statuses = [
        client.post(reverse("account_login"), {"login": email, "password": "wrong"}).status_code
        for _ in range(8)
    ]
    response = client.post(reverse("account_login"), {"login": email, "password": "wrong"})
    assert statuses[0] == 200
    assert response.status_code == 429 or "Too many failed login attempts" in response.text


def test_debug_mail_page_lists_sent_emails(client, staff, settings, tmp_path):
    from django.core import mail

    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    message = mail.EmailMultiAlternatives("Hello there", "Open http://x.example/a/", to=["a@b.example"])
    message.attach_alternative("<p>Hi <script>alert(1)</script></p>", "text/html")
    message.send()
    client.force_login(staff)
    page = client.get(reverse("debug_mail"))
    assert "Hello there" in page.text and 'href="http://x.example/a/"' in page.text
    [name] = [path.name for path in tmp_path.iterdir()]
    html = client.get(reverse("debug_mail_html", args=[name, 0]))
    assert "<p>Hi" in html.text
    assert html["Content-Security-Policy"].startswith("sandbox")


def test_debug_mail_page_is_gone_without_debug(client, staff, settings):
    settings.DEBUG = False
    client.force_login(staff)
    assert client.get(reverse("debug_mail")).status_code == 404


def test_password_reset_task_sends_the_rendered_email(db):
    from django.core import mail

    from core.tasks import send_rendered_email

    send_rendered_email.apply(args=["Reset", "Body", ["a@b.example"], None, "<p>Body</p>"])
    [message] = mail.outbox
    assert (message.subject, message.to, message.alternatives[0][1]) == (
        "Reset",
        ["a@b.example"],
        "text/html",
    )
