import re

import pytest
from django.urls import reverse

from connect.models import Client
from core.models import AuditEvent
from core.tenancy import Role


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_create_client(staff_client, staff):
    response = staff_client.post(
        reverse("connect:client_create"),
        {"name": "Acme Apparel", "reference_id": "ACME-1", "description": "Shirts"},
    )
    created = Client.objects.get(name="Acme Apparel")
    assert response.url == reverse("connect:client", args=[created.code])
    assert (created.reference_id, created.description, created.storefronts_enabled) == (
        "ACME-1",
        "Shirts",
        False,
    )
    event = AuditEvent.objects.get(client=created)
    assert (event.actor, event.verb) == (staff, "client.created")


def test_reference_id_is_optional_and_unique_ignoring_case(staff_client):
    staff_client.post(reverse("connect:client_create"), {"name": "One", "reference_id": ""})
    staff_client.post(reverse("connect:client_create"), {"name": "Two", "reference_id": ""})
    assert list(Client.objects.values_list("reference_id", flat=True)) == [None, None]

    staff_client.post(reverse("connect:client_create"), {"name": "Three", "reference_id": "Acme"})
    response = staff_client.post(reverse("connect:client_create"), {"name": "Four", "reference_id": "ACME"})
    assert response.status_code == 200
    assert "Another client already uses this reference ID." in response.text
    assert not Client.objects.filter(name="Four").exists()


@pytest.mark.parametrize("bad", ["with space", "semi;colon", "x" * 65, "ünï"])
def test_reference_id_character_set(staff_client, bad):
    response = staff_client.post(reverse("connect:client_create"), {"name": "Bad", "reference_id": bad})
    assert response.status_code == 200
    assert not Client.objects.filter(name="Bad").exists()


def test_name_is_required(staff_client):
    response = staff_client.post(reverse("connect:client_create"), {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert Client.objects.count() == 0


def test_list_searches_by_name_and_reference(staff_client):
    Client.objects.create(name="Acme Apparel", reference_id="ACME")
    Client.objects.create(name="Northwind", reference_id="NW-7")
    Client.objects.create(name="Globex")
    names = lambda r: [c.name for c in r.context["page"].object_list]  # noqa: E731

    assert names(staff_client.get(reverse("connect:clients"), {"q": "north"})) == ["Northwind"]
    assert names(staff_client.get(reverse("connect:clients"), {"q": "nw-7"})) == ["Northwind"]
    assert names(staff_client.get(reverse("connect:clients"), {"sort": "-name"})) == [
        "Northwind",
        "Globex",
        "Acme Apparel",
    ]
    empty = staff_client.get(reverse("connect:clients"), {"q": "zzz"})
    assert "No client matches" in empty.text


def test_list_filters_by_access(staff_client):
    Client.objects.create(name="On", storefronts_enabled=True)
    Client.objects.create(name="Off")
    response = staff_client.get(reverse("connect:clients"), {"access": "on"})
    assert [c.name for c in response.context["page"].object_list] == ["On"]


def test_list_paginates(staff_client):
    Client.objects.bulk_create(Client(name=f"Client {i:03}") for i in range(60))
    first = staff_client.get(reverse("connect:clients"))
    third = staff_client.get(reverse("connect:clients"), {"page": 3})
    assert len(first.context["page"].object_list) == 25
    assert [c.name for c in third.context["page"].object_list] == [f"Client {i:03}" for i in range(50, 60)]
    assert "Page 1 of 3" in first.text


def test_empty_list_says_what_to_do(staff_client):
    response = staff_client.get(reverse("connect:clients"))
    assert "No clients yet" in response.text
    assert "Create your first client" in response.text


def test_overview_shows_activity(staff_client, staff):
    staff_client.post(reverse("connect:client_create"), {"name": "Acme"})
    acme = Client.objects.get()
    staff_client.post(reverse("connect:client_settings", args=[acme.code]), {"name": "Acme Ltd"})
    response = staff_client.get(reverse("connect:client", args=[acme.code]))
    assert "created the client" in response.text
    assert "updated the client" in response.text
    assert staff.email in response.text


def test_client_users_get_no_access_to_connect(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    assert client.get(reverse("connect:clients")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("connect:clients"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_list_shows_off_invitation_sent_or_active(staff_client, django_assert_max_num_queries):
    def with_invitation(name, state):
        client = Client.objects.create(name=name, storefronts_enabled=True)
        client.invitations.create(
            kind="access", email=f"admin@{name.lower()}.example", first_name="A", last_name="B", state=state
        )

    Client.objects.create(name="Dormant")
    with_invitation("Invited", "sent")
    with_invitation("Joined", "accepted")
    with_invitation("Queued", "pending")
    with django_assert_max_num_queries(8):
        page = staff_client.get(reverse("connect:clients")).text
    badges = dict(re.findall(r'>(\w+)</a></td>.*?<span class="badge[^"]*">([^<]+)</span>', page, re.S))
    assert badges == {
        "Dormant": "Off",
        "Invited": "Invitation sent",
        "Joined": "Active",
        "Queued": "Sending invitation",
    }
