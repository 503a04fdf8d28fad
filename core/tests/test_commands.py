import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from connect.models import Client as PrintClient
from connect.models import Invitation
from core.models import AuditEvent, User
from storefronts.management.commands.seed_demo import DEMO_PASSWORD, STAFF_EMAIL
from storefronts.models import Membership


def test_createstaff_makes_a_staff_account_that_can_sign_in(db, monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "a-Long-passphrase-9")
    call_command("createstaff", "Boss@Printer.example", "--first-name", "Bo", "--no-input")
    user = User.objects.get(email="boss@printer.example")
    assert user.is_staff and not user.is_superuser and user.first_name == "Bo"
    assert Client().login(email="boss@printer.example", password="a-Long-passphrase-9")
    assert AuditEvent.objects.get(verb="staff.created").target == "boss@printer.example"


def test_createstaff_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("createstaff", "boss@printer.example", "--no-input")
    assert not User.objects.exists()


def test_createstaff_needs_a_password(db, monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="STAFF_PASSWORD"):
        call_command("createstaff", "boss@printer.example", "--no-input")


def test_seed_demo_is_idempotent(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        call_command("seed_demo")
        counts = (
            User.objects.count(),
            PrintClient.objects.count(),
            Membership.objects.count(),
            Invitation.objects.count(),
        )
        call_command("seed_demo")
    assert counts == (
        User.objects.count(),
        PrintClient.objects.count(),
        Membership.objects.count(),
        Invitation.objects.count(),
    )
    assert counts[1] == 3
    assert Client().login(email=STAFF_EMAIL, password=DEMO_PASSWORD)
    assert Client().login(email="admin@acme.example", password=DEMO_PASSWORD)
