"""Connect's Clients list with thousands of clients: first page, search, a deep page."""

from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from bench.timing import timed
from connect.models import Client
from core.models import User

CLIENTS = 5000


def run():
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    Client.objects.bulk_create(
        Client(name=f"Client {i:05}", reference_id=f"REF-{i:05}", storefronts_enabled=i % 3 == 0)
        for i in range(CLIENTS)
    )
    staff = User.objects.create_user("bench@printer.example", "bench-pass-123", is_staff=True)
    http = HttpClient()
    http.force_login(staff)
    url = reverse("connect:clients")
    print(f"BENCH clients_list_first_page_{CLIENTS} {timed(lambda: http.get(url)):.1f} ms")
    print(f"BENCH clients_list_search_{CLIENTS} {timed(lambda: http.get(url, {'q': 'REF-042'})):.1f} ms")
    print(f"BENCH clients_list_page_150_{CLIENTS} {timed(lambda: http.get(url, {'page': 150})):.1f} ms")
