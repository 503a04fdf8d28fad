"""Shared by the integration tests that talk to the sandbox platforms."""

import re

import requests

from sandbox.demo_keys import woocommerce_key

READ_WRITE = woocommerce_key("demo-posters", "Printfront read/write")
READ_ONLY = woocommerce_key("demo-posters", "Read only")


def sandbox_switch(sandbox_url, **fields):
    """Flip a failure switch of the demo shop on its sandbox page, as a person would."""
    page_url = f"{sandbox_url}/shops/woocommerce/demo-posters/"
    session = requests.Session()
    page = session.get(page_url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {
        "fault": "",
        "fault_limit": 0,
        "retry_after": 1,
        "slow_seconds": 1,
        "csrfmiddlewaretoken": token,
        **fields,
    }
    response = session.post(
        page_url, data=data, timeout=10, headers={"Referer": page_url}, allow_redirects=False
    )
    assert response.status_code == 302, response.text[-500:]
