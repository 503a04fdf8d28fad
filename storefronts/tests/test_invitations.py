"""Invitation links: single use, expiring, tamper-proof, dead once access is off."""

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from connect import services as connect_services
from connect.models import Client, Invitation
from connect.tasks import send_invitation
from core.models import User
from core.tenancy import Role
from core.testing import PASSWORD, invitation_link, make_client
from storefronts.models import Membership

NEW_PASSWORD = "a-Long-passphrase-9"
FORM = {"first_name": "Ada", "last_name": "Lovelace", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}


@pytest.fixture
def invited(db, staff):
    """Acme with access switched on and its admin's invitation sent; returns (client, token)."""
    acme = Client.objects.create(name="Acme")
    invitation = connect_services.enable_access(
        staff, acme, email="ada@acme.example", first_name="Ada", last_name="Lovelace"
    )
    send_invitation.apply(args=[invitation.id])
    return acme, invitation_link(mail.outbox[-1])[1]


def accept(client, token, data=FORM):
    return client.post(reverse("accept_invitation", args=[token]), data)


def test_accepting_sets_password_signs_in_and_lands_on_dashboard(client, invited):
    _acme, token = invited
    response = accept(client, token)
    assert response.url == reverse("storefronts:dashboard")
    user = User.objects.get(email="ada@acme.example")
    assert user.check_password(NEW_PASSWORD) and not user.is_staff
    assert Membership.objects.get(user=user).role == Role.ADMIN
    dashboard = client.get(response.url)
    assert "Next: connect a store" in dashboard.text


def test_only_the_hash_of_the_token_is_stored(invited):
    _acme, token = invited
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(value) for value in Invitation.objects.values().get().values())
    assert token not in stored


def test_a_link_works_once(client, invited):
    _acme, token = invited
    accept(client, token)
    client.logout()
    again = client.get(reverse("accept_invitation", args=[token]))
    assert again.status_code == 410
    assert "already been used" in again.text
    second = accept(client, token, {**FORM, "password1": "other-Pass-77", "password2": "other-Pass-77"})
    assert second.status_code == 410
    assert User.objects.get(email="ada@acme.example").check_password(NEW_PASSWORD)


def test_an_expired_link_grants_nothing(client, invited):
    _acme, token = invited
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (client.get(reverse("accept_invitation", args=[token])), accept(client, token)):
        assert response.status_code == 410
        assert "This invitation has expired" in response.text
    assert not User.objects.filter(email="ada@acme.example").exists()


def test_expired_invitations_are_marked_by_the_periodic_task(invited):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert connect_services.expire_invitations() == 1
    assert Invitation.objects.get().state == "expired"


@pytest.mark.parametrize(
    "tamper", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t[:20], lambda t: t + "x"]
)
def test_a_tampered_link_grants_nothing(client, invited, tamper):
    _acme, token = invited
    response = accept(client, tamper(token))
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.text
    assert not User.objects.filter(email="ada@acme.example").exists()
    assert "_auth_user_id" not in client.session


def test_a_link_is_dead_once_access_is_switched_off(client, invited, staff):
    acme, token = invited
    connect_services.disable_access(staff, acme)
    assert accept(client, token).status_code == 410
    connect_services.enable_access(staff, acme, email="ada@acme.example", first_name="Ada", last_name="L")
    response = accept(client, token)
    assert response.status_code == 410
    assert "no longer valid" in response.text
    assert not User.objects.filter(email="ada@acme.example").exists()


def test_resending_kills_the_previous_link(client, invited, staff):
    _acme, old_token = invited
    invitation = Invitation.objects.get()
    connect_services.resend_invitation(staff, invitation)
    send_invitation.apply(args=[invitation.id])
    new_token = invitation_link(mail.outbox[-1])[1]
    assert accept(client, old_token).status_code == 404
    assert accept(client, new_token).status_code == 302


def test_weak_password_is_refused_and_nothing_is_created(client, invited):
    _acme, token = invited
    response = accept(client, token, {**FORM, "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert "too short" in response.text
    assert not User.objects.filter(email="ada@acme.example").exists()


def test_one_person_two_clients_one_account(client, invited, staff):
    acme, token = invited
    accept(client, token)
    globex = make_client("Globex").client
    invitation = connect_services.invite(
        staff,
        kind="member",
        client=globex,
        email="ADA@acme.example",
        first_name="Ada",
        last_name="L",
        role=Role.VIEWER,
    )
    send_invitation.apply(args=[invitation.id])
    second_token = invitation_link(mail.outbox[-1])[1]

    client.logout()
    page = client.get(reverse("accept_invitation", args=[second_token]))
    assert "already has an account" in page.text
    client.login(email="ada@acme.example", password=NEW_PASSWORD)
    response = accept(client, second_token, {})
    assert response.url == reverse("storefronts:dashboard")
    assert User.objects.filter(email__iexact="ada@acme.example").count() == 1
    assert {m.client.name: m.role for m in Membership.objects.filter(user__email="ada@acme.example")} == {
        "Acme": Role.ADMIN,
        "Globex": Role.VIEWER,
    }
    # The accepted client is the active one; the person can switch back.
    assert client.get(reverse("storefronts:dashboard")).context["request"].client == globex
    client.post(reverse("storefronts:switch", args=[acme.code]))
    assert client.get(reverse("storefronts:dashboard")).context["request"].client == acme


def test_signed_in_as_someone_else(client, invited):
    _acme, token = invited
    other = make_client("Other").user(Role.ADMIN)
    client.force_login(other)
    response = accept(client, token)
    assert response.status_code == 200
    assert "but you are signed in as" in response.text
    assert not Membership.objects.filter(client__name="Acme").exists()


def test_staff_invitation_makes_a_staff_account(client, staff):
    invitation = connect_services.invite(
        staff, kind="staff", email="sue@printer.example", first_name="Sue", last_name="S"
    )
    send_invitation.apply(args=[invitation.id])
    token = invitation_link(mail.outbox[-1])[1]
    response = accept(client, token)
    assert response.url == reverse("connect:clients")
    assert User.objects.get(email="sue@printer.example").is_staff
    assert client.get(response.url).status_code == 200


def test_existing_password_sign_in_still_works(client, invited):
    world = make_client("Third")
    assert client.login(email=world.user(Role.ADMIN).email, password=PASSWORD)


def test_someone_whose_access_ended_can_sign_in_to_accept_a_new_invitation(client, staff):
    former = make_client("Former")
    former.client.storefronts_enabled = False
    former.client.save()
    person = former.user(Role.VIEWER)
    newcomer = Client.objects.create(name="Newcomer", storefronts_enabled=True)
    invitation = connect_services.invite(
        staff,
        kind="member",
        client=newcomer,
        email=person.email,
        first_name="V",
        last_name="W",
        role=Role.ADMIN,
    )
    send_invitation.apply(args=[invitation.id])
    token = invitation_link(mail.outbox[-1])[1]

    assert client.login(email=person.email, password=PASSWORD)
    # Anywhere else they are signed out at once...
    assert client.get(reverse("storefronts:dashboard")).url.startswith(reverse("account_login"))
    assert client.login(email=person.email, password=PASSWORD)
    # ...but they may accept the invitation that brings them back in.
    response = accept(client, token, {})
    assert response.url == reverse("storefronts:dashboard")
    assert client.get(response.url).status_code == 200
    assert Membership.objects.get(user=person, client=newcomer).role == Role.ADMIN
