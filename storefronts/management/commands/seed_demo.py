from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from connect import services as connect_services
from connect.models import Client, Invitation
from core.models import User
from core.tenancy import Role
from storefronts.models import Membership

DEMO_PASSWORD = "printfront-demo"
STAFF_EMAIL = "staff@printfront.example"

# name, reference ID, description, Storefronts state ("active", "invited" or "off"), people
CLIENTS = [
    (
        "Acme Apparel",
        "ACME",
        "T-shirts and hoodies sold on Shopify and Etsy.",
        "active",
        [
            ("admin@acme.example", "Ada", "Lovelace", Role.ADMIN),
            ("orders@acme.example", "Oscar", "Ortiz", Role.ORDER_MANAGER),
            ("viewer@acme.example", "Vera", "Vance", Role.VIEWER),
        ],
    ),
    (
        "Northwind Posters",
        "NW-01",
        "Art prints through WooCommerce.",
        "invited",
        [("owner@northwind.example", "Nina", "North", Role.ADMIN)],
    ),
    ("Globex Mugs", None, "Corporate gifts; on hold.", "off", []),
]


class Command(BaseCommand):
    help = "Load demo data: a staff login and three clients. Safe to run again: nothing is duplicated."

    @transaction.atomic
    def handle(self, *args, **options):
        staff = User.objects.filter(email=STAFF_EMAIL).first()
        if staff is None:
            staff = User.objects.create_user(
                STAFF_EMAIL, DEMO_PASSWORD, first_name="Sam", last_name="Staff", is_staff=True
            )
        for name, reference_id, description, state, people in CLIENTS:
            if Client.objects.filter(name=name).exists():
                continue
            client = connect_services.create_client(
                staff, name=name, reference_id=reference_id, description=description
            )
            if state == "invited":
                email, first, last, _role = people[0]
                connect_services.enable_access(staff, client, email=email, first_name=first, last_name=last)
            elif state == "active":
                self._activate(client, people)
        # The printer's catalog (a later app: called by name, not imported).
        call_command("seed_catalog", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready.\n  Connect (staff): {STAFF_EMAIL} / {DEMO_PASSWORD}\n"
                f"  Storefronts (Acme Apparel admin): admin@acme.example / {DEMO_PASSWORD}"
            )
        )

    def _activate(self, client, people):
        """A client whose admin has already accepted, with a few users of each role."""
        client.storefronts_enabled = True
        client.save(update_fields=["storefronts_enabled"])
        for email, first, last, role in people:
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email, DEMO_PASSWORD, first_name=first, last_name=last
            )
            Membership.objects.get_or_create(user=user, client=client, defaults={"role": role})
            Invitation.objects.create(
                kind=Invitation.Kind.ACCESS if role == Role.ADMIN else Invitation.Kind.MEMBER,
                client=client,
                email=email,
                first_name=first,
                last_name=last,
                role=role,
                state=Invitation.State.ACCEPTED,
                accepted_at=timezone.now(),
            )
