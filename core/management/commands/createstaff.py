import getpass
import os

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core import audit
from core.models import User


class Command(BaseCommand):
    help = (
        "Create a printer staff account (or make an existing account staff). The password is "
        "asked for, or read from the STAFF_PASSWORD environment variable with --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--no-input", action="store_true", help="Read the password from STAFF_PASSWORD.")

    def handle(self, *args, email, first_name, last_name, no_input, **options):
        password = os.environ.get("STAFF_PASSWORD") if no_input else self._ask_password()
        if not password:
            raise CommandError("Set STAFF_PASSWORD when using --no-input.")
        user = User.objects.filter(email__iexact=email).first()
        try:
            password_validation.validate_password(password, user or User(email=email))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if user is None:
            user = User.objects.create_user(email)
        user.first_name = first_name or user.first_name
        user.last_name = last_name or user.last_name
        user.is_staff = True
        user.set_password(password)
        user.save()
        audit.record(None, "staff.created", target=user.email)
        self.stdout.write(self.style.SUCCESS(f"Staff account ready: {user.email}"))

    def _ask_password(self):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return password
