"""Builders for tests: a printer with staff, and clients with one person of each role; a
wait for what a worker or another process does; and a server that trickles its answers."""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests

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


def waiting_on_a_lock():
    """Whether some session of the test database waits for a lock another holds (PostgreSQL):
    the moment a concurrency test lets the holder go on."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_sandbox(folder, liveserver=None):
    """Run the sandbox platforms as their own process on a free port, with their own database
    in `folder`; yields its URL. Its demo apps allow OAuth callbacks to the test client's host
    and to the live server (`liveserver`, host:port, if any)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app_urls = "http://testserver" + (f",http://{liveserver}" if liveserver else "")
    env = {**os.environ, "VAR_DIR": str(folder), "SANDBOX_URL": url, "SANDBOX_APP_URLS": app_urls}
    env.pop("SANDBOX_DATABASE_URL", None)
    # Its request log goes to a file: a pipe nobody reads would fill up and stall it.
    log = open(folder / "sandbox.log", "wb")  # noqa: SIM115 (closed below, after the process)
    process = subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "sandbox", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz/", timeout=5).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or still starting up on a busy machine
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the sandbox did not start: {(folder / 'sandbox.log').read_text()[-2000:]}"
                )
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


class Trickler:
    """A server that answers its connections' first `normal` requests at once (keeping the
    connection open), then trickles the next answer's head a byte every 50 ms for 20 s: each
    byte comes well within any read timeout."""

    TRICKLE = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"." * 400

    def __init__(self, normal=0):
        self.normal, self.connections = normal, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _address = self.listener.accept()
            except OSError:
                return  # closed
            self.connections += 1
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn):
        with conn:
            for number in range(1, 100):
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                try:
                    if number <= self.normal:
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        continue
                    for byte in self.TRICKLE:
                        conn.sendall(bytes([byte]))
                        time.sleep(0.05)
                except OSError:
                    return  # the client cut it

    def close(self):
        self.listener.close()
