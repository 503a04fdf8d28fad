"""The WooCommerce adapter over real HTTP against the sandbox, with its failure switches."""

import pytest

from core import http
from integrations.base import AdapterError
from integrations.woocommerce.adapter import WooCommerceAdapter

from .helpers import READ_WRITE, sandbox_switch


@pytest.fixture
def adapter(sandbox_url, settings):
    settings.SANDBOX_ENABLED = True
    yield WooCommerceAdapter(f"{sandbox_url}/woocommerce/demo-posters", *READ_WRITE)
    sandbox_switch(sandbox_url)


@pytest.fixture
def waits(monkeypatch):
    recorded = []
    monkeypatch.setattr(http, "sleep", recorded.append)
    return recorded


def test_throttling_is_honoured(adapter, sandbox_url, waits):
    sandbox_switch(sandbox_url, fault="429", fault_limit=1, retry_after=3)
    response = adapter.call("GET", "system_status")
    assert response.status_code == 200
    assert waits == [3]


def test_server_errors_are_retried(adapter, sandbox_url, waits):
    sandbox_switch(sandbox_url, fault="5xx", fault_limit=2)
    assert adapter.call("GET", "system_status").status_code == 200
    assert len(waits) == 2


def test_an_outage_that_lasts_is_reported_as_transient(adapter, sandbox_url, waits):
    sandbox_switch(sandbox_url, fault="5xx")
    with pytest.raises(AdapterError) as error:
        adapter.verify()
    assert not error.value.permanent
    assert str(error.value) == "WooCommerce is having trouble on its side (a server error)."


def test_revoked_credentials_are_permanent(adapter, sandbox_url, waits):
    sandbox_switch(sandbox_url, fault="revoked")
    with pytest.raises(AdapterError) as error:
        adapter.verify()
    assert error.value.permanent
    assert waits == []  # nothing to wait for: trying again cannot help


def test_pages_through_products(adapter):
    products = list(adapter.iter_products())
    assert len(products) == 122  # 12 catalogue products and 110 poster designs: two pages of 100
    assert len({product["id"] for product in products}) == 122


def test_a_slow_shop_times_out_as_a_transient_failure(adapter, sandbox_url, settings, waits):
    settings.OUTBOUND_TIMEOUT = 1
    sandbox_switch(sandbox_url, fault="slow", slow_seconds=2)
    with pytest.raises(AdapterError) as error:
        adapter.verify()
    assert not error.value.permanent
    # The cause, without the method, host or address that timed out (those go to the log).
    assert str(error.value) == "WooCommerce did not answer in time."
