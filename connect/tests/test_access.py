"""Storefronts access from Connect: switching on invites the admin, off locks everyone out."""

import pytest
from django.core import mail
from django.urls import reverse

from connect import services
from connect.models import Client, Invitation
from connect.tasks import send_invitation
from core.models import AuditEvent
from core.tenancy import Role
from core.testing import invitation_link
from storefronts.models import Membership

ADMIN = {"enabled": "on", "email": "Ada@Acme.example", "first_name": "Ada", "last_name": "Lovelace"}


@pytest.fixture
def new_client(db):
    return Client.objects.create(name="Acme", reference_id="ACME")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def switch_on(staff_client, target, data=ADMIN):
    return staff_client.post(reverse("connect:client_access", args=[target.code]), data)


def test_switching_on_queues_the_invitation_after_commit(
    staff_client, new_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = switch_on(staff_client, new_client)
    assert response.status_code == 302
    new_client.refresh_from_db()
    assert new_client.storefronts_enabled
    invitation = Invitation.objects.get()
    assert (invitation.kind, invitation.email, invitation.role, invitation.state) == (
        "access",
        "ada@acme.example",
        Role.ADMIN,
        "pending",
    )
    # Nothing is sent in the request: one task is queued, to run after the commit.
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_the_worker_task_sends_html_and_text_email_without_password(staff_client, new_client):
    switch_on(staff_client, new_client)
    invitation = Invitation.objects.get()
    send_invitation.apply(args=[invitation.id])

    [message] = mail.outbox
    assert message.to == ["ada@acme.example"]
    assert "Acme" in message.subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link, token = invitation_link(message)
    assert link in html
    assert "password" not in message.body.lower().replace("set your password", "").replace(
        "your password and sign in", ""
    )
    invitation.refresh_from_db()
    assert invitation.state == "sent"
    assert invitation.token_hash and token not in invitation.token_hash


def test_settings_show_invitation_sent_then_active(staff_client, new_client, client):
    switch_on(staff_client, new_client)
    invitation = Invitation.objects.get()
    send_invitation.apply(args=[invitation.id])
    settings_url = reverse("connect:client_settings", args=[new_client.code])
    assert "Invitation sent" in staff_client.get(settings_url).text

    _link, token = invitation_link(mail.outbox[0])
    client.logout()
    client.post(
        reverse("accept_invitation", args=[token]),
        {
            "first_name": "Ada",
            "last_name": "L",
            "password1": "a-Long-passphrase-9",
            "password2": "a-Long-passphrase-9",
        },
    )
    assert Membership.objects.get(client=new_client).role == Role.ADMIN


def test_the_client_pages_follow_the_invitation_while_it_is_sent(staff_client, new_client):
    switch_on(staff_client, new_client)
    state_url = reverse("connect:client_access_state", args=[new_client.code])
    page = staff_client.get(reverse("connect:client_settings", args=[new_client.code])).text
    assert f'hx-get="{state_url}?tab=settings" hx-trigger="every 3s"' in page
    assert "Sending invitation" in page

    send_invitation.apply(args=[Invitation.objects.get().id])
    update = staff_client.get(state_url, {"tab": "settings"}, headers={"HX-Request": "true"}).text
    assert "Invitation sent" in update and "Sending invitation" not in update
    assert "hx-trigger" not in update  # sent: the page stops asking
    assert 'id="invitation-state" hx-swap-oob="true"' in update
    page = staff_client.get(reverse("connect:client", args=[new_client.code])).text
    assert "hx-trigger" not in page


def test_sending_twice_is_harmless(staff_client, new_client):
    switch_on(staff_client, new_client)
    invitation = Invitation.objects.get()
    send_invitation.apply(args=[invitation.id])
    send_invitation.apply(args=[invitation.id])
    assert len(mail.outbox) == 1


def test_admin_details_are_required_the_first_time(staff_client, new_client):
    response = switch_on(staff_client, new_client, {"enabled": "on", "email": "not-an-email"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    new_client.refresh_from_db()
    assert not new_client.storefronts_enabled
    assert not Invitation.objects.exists()


def test_resend_replaces_the_link(staff_client, new_client):
    switch_on(staff_client, new_client)
    invitation = Invitation.objects.get()
    send_invitation.apply(args=[invitation.id])
    old_hash = Invitation.objects.get().token_hash
    staff_client.post(reverse("connect:invitation_resend", args=[new_client.code]))
    send_invitation.apply(args=[invitation.id])
    invitation.refresh_from_db()
    assert len(mail.outbox) == 2
    assert invitation.state == "sent" and invitation.token_hash != old_hash
    assert invitation_link(mail.outbox[0])[1] != invitation_link(mail.outbox[1])[1]
    assert AuditEvent.objects.filter(verb="invitation.resent").exists()


def test_correct_email_before_acceptance(staff_client, new_client):
    switch_on(staff_client, new_client)
    invitation = Invitation.objects.get()
    send_invitation.apply(args=[invitation.id])
    staff_client.post(
        reverse("connect:invitation_resend", args=[new_client.code]), {"email": "ada@acme.test"}
    )
    send_invitation.apply(args=[invitation.id])
    assert mail.outbox[-1].to == ["ada@acme.test"]
    invitation.refresh_from_db()
    assert invitation.email == "ada@acme.test"


def test_correct_email_rejects_bad_address(staff_client, new_client):
    switch_on(staff_client, new_client)
    response = staff_client.post(
        reverse("connect:invitation_resend", args=[new_client.code]), {"email": "nope"}
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert Invitation.objects.get().email == "ada@acme.example"


def test_switching_off_signs_people_out_and_keeps_data(acme, client, staff):
    admin = acme.user(Role.ADMIN)
    client.force_login(admin)
    assert client.get(reverse("storefronts:dashboard")).status_code == 200

    services.disable_access(staff, acme.client)
    response = client.get(reverse("storefronts:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    # The session is over: the next request is anonymous too.
    assert "_auth_user_id" not in client.session
    assert Membership.objects.filter(client=acme.client).count() == 4

    services.enable_access(staff, acme.client)
    client.force_login(admin)
    assert client.get(reverse("storefronts:dashboard")).status_code == 200


def test_re_enabling_with_an_admin_needs_no_new_invitation(staff_client, acme, staff):
    services.disable_access(staff, acme.client)
    response = staff_client.post(reverse("connect:client_access", args=[acme.client.code]), {"enabled": "on"})
    assert response.status_code == 302
    acme.client.refresh_from_db()
    assert acme.client.storefronts_enabled
    assert not Invitation.objects.exists()


def test_switching_off_is_recorded(staff_client, acme, staff):
    staff_client.post(reverse("connect:client_access", args=[acme.client.code]), {})
    acme.client.refresh_from_db()
    assert not acme.client.storefronts_enabled
    assert AuditEvent.objects.get(verb="access.disabled").actor == staff


def test_plain_text_keeps_names_as_typed_and_html_escapes_them(staff_client, db):
    obrien = Client.objects.create(name="O'Brien & Sons <Print>", reference_id="OBRIEN")
    switch_on(staff_client, obrien, {**ADMIN, "first_name": "D'Arcy"})
    send_invitation.apply(args=[Invitation.objects.get().id])

    [message] = mail.outbox
    assert message.subject == "You're invited to O'Brien & Sons <Print> on Printfront"
    assert "Hello D'Arcy," in message.body
    assert "You have been invited to O'Brien & Sons <Print> on Printfront Storefronts" in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body
    html, _mimetype = message.alternatives[0]
    assert "O&#x27;Brien &amp; Sons &lt;Print&gt;" in html
    assert "<Print>" not in html
