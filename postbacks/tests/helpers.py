"""Test helpers for postbacks: the sandbox's postback receiver, and endpoints pointed at it."""

import uuid

import requests

from postbacks import services
from postbacks.models import Endpoint, Event


def receiver_url(sandbox_url, answers=(), hang_seconds=3):
    """A fresh receiver of the sandbox (its next answers scripted); returns its URL."""
    url = f"{sandbox_url}/postbacks/r-{uuid.uuid4().hex[:12]}/"
    response = requests.post(
        f"{url}script", json={"answers": list(answers), "hang_seconds": hang_seconds}, timeout=10
    )
    assert response.status_code == 200, response.text
    return url


def received(url):
    """What the receiver got, oldest first: [{"headers", "body", "answer", "at"}]."""
    return requests.get(f"{url}received.json", timeout=10).json()["received"]


def url_endpoint(world, url, events=tuple(Event.values), actor=None):
    """An endpoint of the client at `url`; returns it and its secret."""
    return services.create_endpoint(actor, world.client, kind=Endpoint.Kind.URL, url=url, events=events)
