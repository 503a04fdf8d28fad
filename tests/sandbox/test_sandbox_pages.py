"""The sandbox's own pages (its index, shop pages, consent screens) are styled: it runs without
DEBUG, so its static files must be served by something other than Django's debug view."""

import re

import pytest
import requests
from django.conf import settings


@pytest.mark.parametrize("path", ["/", "/shops/woocommerce/demo-posters/"])
def test_a_sandbox_page_loads_its_stylesheet(sandbox_url, path):
    page = requests.get(sandbox_url + path, timeout=10)
    assert page.status_code == 200
    [stylesheet] = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    response = requests.get(sandbox_url + stylesheet, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert (
        response.content == (settings.BASE_DIR / "static" / stylesheet.removeprefix("/static/")).read_bytes()
    )
