"""Emails go out through a real Celery worker; failed invitation sends are retried and shown."""

import socket

import pytest
from django.core import mail
from django.urls import reverse

from connect.models import Client, Invitation
from core.tenancy import Role
from core.testing import wait_for

pytestmark = pytest.mark.worker

ADMIN = {"enabled": "on", "email": "ada@acme.example", "first_name": "Ada", "last_name": "Lovelace"}


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_the_worker_sends_the_invitation_after_the_request(celery_worker, staff_client):
    acme = Client.objects.create(name="Acme")
    response = staff_client.post(reverse("connect:client_access", args=[acme.code]), ADMIN)
    assert response.status_code == 302
    assert wait_for(lambda: Invitation.objects.get().state == "sent")
    assert [m.to for m in mail.outbox] == [["ada@acme.example"]]


def test_sending_failures_are_retried_then_shown(celery_worker, staff_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    settings.INVITATION_SEND_ATTEMPTS, settings.INVITATION_RETRY_SECONDS = 3, 0.2
    acme = Client.objects.create(name="Acme")
    staff_client.post(reverse("connect:client_access", args=[acme.code]), ADMIN)

    assert wait_for(lambda: Invitation.objects.get().state == "failed")
    invitation = Invitation.objects.get()
    assert invitation.attempts == 3
    assert "ConnectionRefusedError" in invitation.last_error
    page = staff_client.get(reverse("connect:client_settings", args=[acme.code])).text
    assert "Invitation not sent" in page and "ConnectionRefusedError" in page

    # The mail server is back: staff resend, and it goes out.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    staff_client.post(reverse("connect:invitation_resend", args=[acme.code]))
    assert wait_for(lambda: Invitation.objects.get().state == "sent")
    assert len(mail.outbox) == 1


def test_password_reset_email_goes_out_through_the_worker(celery_worker, client, acme):
    email = acme.user(Role.ADMIN).email
    response = client.post(reverse("account_reset_password"), {"email": email})
    assert response.status_code == 302
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
