"""The language a person reads: the browser's, until they pick one with the switch; then
theirs on every device they sign in on. Emails follow the recipient."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from connect import services as connect_services
from connect.models import Invitation
from core.models import AuditEvent
from core.tenancy import Role
from core.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def sign_in(client, email, **headers):
    return client.post(
        reverse("account_login"), {"login": email, "password": PASSWORD}, follow=True, **headers
    )


def test_the_browser_language_is_used_until_someone_chooses(client):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").content.decode()
    assert "Iniciar sesión" in page and 'lang="es"' in page
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "Sign in" in page and "Iniciar sesión" not in page
    # The switch offers the other language, named in itself.
    assert 'value="es" lang="es"' in page and "Español" in page


def test_the_switch_keeps_a_visitor_choice_in_their_browser(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Iniciar sesión" in page


def test_a_signed_in_choice_is_kept_on_the_account_and_restored_at_the_next_sign_in(client, staff):
    sign_in(client, staff.email)
    client.post(reverse("set_language"), {"language": "es", "next": reverse("connect:clients")})
    staff.refresh_from_db()
    assert staff.language == "es"
    event = AuditEvent.objects.get(verb="account.language_changed")
    assert (event.actor, event.target) == (staff, "es")

    client.logout()
    client.cookies.clear()  # another device: an English browser, no language cookie
    page = sign_in(client, staff.email, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Crear cliente" in page and "Create client" not in page


def test_the_switch_refuses_a_language_printfront_does_not_have(client, staff):
    sign_in(client, staff.email)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.language == ""
    assert not AuditEvent.objects.filter(verb="account.language_changed").exists()


def test_the_switch_does_not_redirect_elsewhere(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_switch_answers_only_post(client):
    assert client.get(reverse("set_language")).status_code == 405


def _deliver(invitation):
    return connect_services.deliver_invitation(invitation.id)


def _invite(actor, client_, language):
    with translation.override(language):
        return connect_services.invite(
            actor,
            kind=Invitation.Kind.MEMBER,
            client=client_,
            email="nuria@acme.example",
            first_name="Nuria",
            last_name="Vidal",
            role=Role.VIEWER,
        )


def test_an_invitation_is_written_in_the_inviter_language(acme, staff):
    invitation = _invite(staff, acme.client, "es")
    assert invitation.language == "es"
    _deliver(invitation)
    message = mail.outbox[-1]
    assert message.subject == "Te han invitado a Acme en Printfront"
    assert "Hola, Nuria:" in message.body
    invitation.refresh_from_db()
    with translation.override("es"):  # the expiry date in Spanish too: "5 diciembre 2026"
        expires = date_format(timezone.localtime(invitation.expires_at), "j F Y")
    assert f"caduca el {expires}" in message.body
    html = message.alternatives[0][0]
    assert "Establece tu contraseña" in html


def test_someone_who_chose_a_language_gets_their_own(acme, staff):
    make_user("nuria@acme.example", language="en")
    invitation = _invite(staff, acme.client, "es")
    _deliver(invitation)
    assert mail.outbox[-1].subject == "You're invited to Acme on Printfront"


def test_password_rules_and_account_messages_read_in_the_language_of_the_request(client, staff):
    staff.language = "es"
    staff.save()
    page = sign_in(client, staff.email).content.decode()
    assert "Has iniciado sesión como Sam Staff." in page
    page = client.get(reverse("account_change_password")).content.decode()
    # allauth reads the rules once at import (in English); Printfront's forms read them again.
    assert "Nueva contraseña" in page and "contraseña" in page.split("Nueva contraseña", 1)[1]
    assert "Your password" not in page
    client.logout()
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "¿Has olvidado tu contraseña?" in page
