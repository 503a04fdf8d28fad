"""Builders for tests: a printer with staff, and clients with one person of each role; and a
wait for what a worker or another process does."""

import re
import time
from dataclasses import dataclass, field

from connect.models import Client
from core.models import User
from core.tenancy import Role
from storefronts.models import Membership, Store

PASSWORD = "correct-horse-battery-staple"


def make_user(email, **fields):
    return User.objects.create_user(email, PASSWORD, **fields)


@dataclass
class ClientWorld:
    client: Client
    members: dict = field(default_factory=dict)  # role -> Membership
    store: Store = None

    def user(self, role):
        return self.members[role].user


def make_client(name, reference_id=None, *, enabled=True, with_store=True):
    """A client with Storefronts access on, one user per role, and a store its Store Manager manages."""
    client = Client.objects.create(name=name, reference_id=reference_id, storefronts_enabled=enabled)
    world = ClientWorld(client)
    slug = name.lower().replace(" ", "")
    for role in Role:
        user = make_user(f"{role.value}@{slug}.example", first_name=role.label, last_name=name)
        world.members[role] = Membership.objects.create(user=user, client=client, role=role)
    if with_store:
        world.store = Store.objects.create(client=client, platform=Store.Platform.MANUAL, name=f"{name} shop")
        world.members[Role.STORE_MANAGER].stores.add(world.store)
    return world


def invitation_link(message):
    """The accept link from an invitation email's text body."""
    match = re.search(r"https?://\S+/invitations/(\S+)/", message.body)
    assert match, f"no invitation link in: {message.body}"
    return match.group(0), match.group(1)


def wait_for(condition, timeout=20):
    """Poll `condition` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
