"""Settings > User management: client Admins add, change and remove their people."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from connect.models import Invitation
from connect.tasks import send_invitation
from core.models import AuditEvent
from core.tenancy import Role
from core.testing import invitation_link
from storefronts.models import Membership, Store


@pytest.fixture
def admin_client(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


def test_list_shows_members_and_open_invitations(admin_client, acme):
    Invitation.objects.create(
        kind="member",
        client=acme.client,
        email="new@acme.example",
        first_name="N",
        last_name="U",
        role=Role.VIEWER,
    )
    response = admin_client.get(reverse("storefronts:users"))
    for role in Role:
        assert acme.user(role).email in response.text
    assert "new@acme.example" in response.text


def test_add_user_invites_them(admin_client, acme):
    response = admin_client.post(
        reverse("storefronts:user_add"),
        {"email": "Olga@Acme.example", "first_name": "Olga", "last_name": "O", "role": Role.ORDER_MANAGER},
    )
    assert response.url == reverse("storefronts:users")
    invitation = Invitation.objects.get(email="olga@acme.example")
    assert (invitation.kind, invitation.client, invitation.role) == (
        "member",
        acme.client,
        Role.ORDER_MANAGER,
    )
    send_invitation.apply(args=[invitation.id])
    assert mail.outbox[-1].to == ["olga@acme.example"]
    assert invitation_link(mail.outbox[-1])
    assert AuditEvent.objects.filter(
        client=acme.client, verb="invitation.created", actor=acme.user(Role.ADMIN)
    ).exists()


def test_add_user_refuses_a_member_or_a_second_invitation(admin_client, acme):
    data = {"email": acme.user(Role.VIEWER).email, "first_name": "V", "last_name": "V", "role": Role.ADMIN}
    response = admin_client.post(reverse("storefronts:user_add"), data)
    assert "already a user of this client" in response.text
    data["email"] = "x@acme.example"
    admin_client.post(reverse("storefronts:user_add"), data)
    response = admin_client.post(reverse("storefronts:user_add"), data)
    assert "already has an open invitation" in response.text
    assert Invitation.objects.filter(email="x@acme.example").count() == 1


def test_add_user_refuses_an_unknown_role(admin_client):
    response = admin_client.post(
        reverse("storefronts:user_add"),
        {"email": "a@b.example", "first_name": "A", "last_name": "B", "role": "owner"},
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_change_role(admin_client, acme):
    viewer = acme.members[Role.VIEWER]
    admin_client.post(reverse("storefronts:member", args=[viewer.code]), {"role": Role.ORDER_MANAGER})
    viewer.refresh_from_db()
    assert viewer.role == Role.ORDER_MANAGER
    event = AuditEvent.objects.get(verb="member.role_changed")
    assert event.data == {"from": Role.VIEWER, "to": Role.ORDER_MANAGER}


def test_assign_stores_to_a_store_manager(admin_client, acme):
    second = Store.objects.create(client=acme.client, platform="manual", name="Second")
    manager = acme.members[Role.STORE_MANAGER]
    admin_client.post(
        reverse("storefronts:member", args=[manager.code]),
        {"role": Role.STORE_MANAGER, "stores": [second.id]},
    )
    assert list(manager.stores.all()) == [second]


def test_stores_of_another_client_cannot_be_assigned(admin_client, acme, globex):
    manager = acme.members[Role.STORE_MANAGER]
    response = admin_client.post(
        reverse("storefronts:member", args=[manager.code]),
        {"role": Role.STORE_MANAGER, "stores": [globex.store.id]},
    )
    assert response.status_code == 200
    assert list(manager.stores.all()) == [acme.store]


def test_stores_are_dropped_when_no_longer_store_manager(admin_client, acme):
    manager = acme.members[Role.STORE_MANAGER]
    admin_client.post(reverse("storefronts:member", args=[manager.code]), {"role": Role.VIEWER})
    assert manager.stores.count() == 0


def test_the_last_admin_cannot_be_demoted_or_removed(admin_client, acme):
    admin = acme.members[Role.ADMIN]
    response = admin_client.post(reverse("storefronts:member", args=[admin.code]), {"role": Role.VIEWER})
    assert "at least one Admin" in response.text
    response = admin_client.post(reverse("storefronts:member_remove", args=[admin.code]), follow=True)
    assert "at least one Admin" in response.text
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_an_admin_can_step_down_when_another_admin_exists(admin_client, acme):
    viewer = acme.members[Role.VIEWER]
    admin_client.post(reverse("storefronts:member", args=[viewer.code]), {"role": Role.ADMIN})
    admin = acme.members[Role.ADMIN]
    admin_client.post(reverse("storefronts:member", args=[admin.code]), {"role": Role.VIEWER})
    admin.refresh_from_db()
    assert admin.role == Role.VIEWER


def test_removing_a_user_ends_their_sessions(admin_client, acme):
    removed = Client()
    removed.force_login(acme.user(Role.ORDER_MANAGER))
    assert removed.get(reverse("storefronts:dashboard")).status_code == 200

    admin_client.post(reverse("storefronts:member_remove", args=[acme.members[Role.ORDER_MANAGER].code]))
    assert not Membership.objects.filter(user=acme.user(Role.ORDER_MANAGER)).exists()
    response = removed.get(reverse("storefronts:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert AuditEvent.objects.filter(
        verb="member.removed", target=acme.user(Role.ORDER_MANAGER).email
    ).exists()


def test_resend_and_cancel_a_member_invitation(admin_client, acme):
    invitation = Invitation.objects.create(
        kind="member",
        client=acme.client,
        email="n@acme.example",
        first_name="N",
        last_name="U",
        role=Role.VIEWER,
        state="failed",
        attempts=5,
        last_error="SMTP down",
    )
    admin_client.post(reverse("storefronts:invitation_resend", args=[invitation.code]))
    invitation.refresh_from_db()
    assert (invitation.state, invitation.attempts, invitation.last_error) == ("pending", 0, "")
    admin_client.post(reverse("storefronts:invitation_cancel", args=[invitation.code]))
    invitation.refresh_from_db()
    assert invitation.state == "revoked"


def test_the_sole_admin_sees_why_they_cannot_remove_themselves(admin_client, acme):
    page = admin_client.get(reverse("storefronts:users")).text
    admin = acme.members[Role.ADMIN]
    assert reverse("storefronts:member_remove", args=[admin.code]) not in page
    assert 'disabled aria-describedby="sole-admin-note"' in page
    assert "The only Admin cannot be removed" in page
    viewer = acme.members[Role.VIEWER]
    assert reverse("storefronts:member_remove", args=[viewer.code]) in page


def test_with_two_admins_each_can_be_removed(admin_client, acme):
    viewer = acme.members[Role.VIEWER]
    admin_client.post(reverse("storefronts:member", args=[viewer.code]), {"role": Role.ADMIN})
    page = admin_client.get(reverse("storefronts:users")).text
    assert reverse("storefronts:member_remove", args=[acme.members[Role.ADMIN].code]) in page
    assert "The only Admin cannot be removed" not in page


def test_a_pending_invitation_row_follows_the_worker(admin_client, acme):
    admin_client.post(
        reverse("storefronts:user_add"),
        {"email": "pat@acme.example", "first_name": "Pat", "last_name": "P", "role": Role.VIEWER},
    )
    invitation = Invitation.objects.get(email="pat@acme.example")
    row_url = reverse("storefronts:invitation_row", args=[invitation.code])
    page = admin_client.get(reverse("storefronts:users")).text
    assert f'hx-get="{row_url}" hx-trigger="every 3s"' in page
    assert "Sending invitation" in page

    send_invitation.apply(args=[invitation.id])
    row = admin_client.get(row_url, headers={"HX-Request": "true"}).text
    assert "Invitation sent" in row and "hx-trigger" not in row
    assert reverse("storefronts:invitation_resend", args=[invitation.code]) in row


def test_a_polled_invitation_row_says_when_it_was_cancelled(admin_client, acme):
    admin_client.post(
        reverse("storefronts:user_add"),
        {"email": "pat@acme.example", "first_name": "Pat", "last_name": "P", "role": Role.VIEWER},
    )
    invitation = Invitation.objects.get(email="pat@acme.example")
    Invitation.objects.filter(pk=invitation.pk).update(state=Invitation.State.REVOKED)  # another Admin
    row = admin_client.get(
        reverse("storefronts:invitation_row", args=[invitation.code]), headers={"HX-Request": "true"}
    ).text
    assert "Invitation cancelled" in row and "Active" not in row
