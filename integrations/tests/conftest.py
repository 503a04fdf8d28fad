import pytest


@pytest.fixture
def as_role(client, acme):
    """Sign the test client in as Acme's person of a role: as_role(Role.VIEWER)."""

    def sign_in(role):
        client.force_login(acme.user(role))
        return client

    return sign_in
