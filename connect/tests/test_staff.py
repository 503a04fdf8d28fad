from django.core import mail
from django.urls import reverse

from connect.models import Invitation
from connect.tasks import send_invitation


def test_staff_invite_further_staff(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("connect:staff"), {"email": "Sue@Printer.example", "first_name": "Sue", "last_name": "Sharp"}
    )
    assert response.url == reverse("connect:staff")
    invitation = Invitation.objects.get()
    assert (invitation.kind, invitation.client, invitation.email) == ("staff", None, "sue@printer.example")
    send_invitation.apply(args=[invitation.id])
    assert "join the staff" in mail.outbox[0].subject
    page = client.get(reverse("connect:staff"))
    assert "sue@printer.example" in page.text and staff.email in page.text


def test_an_existing_staff_member_is_not_invited_again(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("connect:staff"), {"email": staff.email, "first_name": "S", "last_name": "S"}
    )
    assert "already a staff member" in response.text
    assert not Invitation.objects.exists()
