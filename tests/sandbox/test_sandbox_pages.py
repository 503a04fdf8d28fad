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


def test_the_sandbox_pages_read_in_the_browser_language(sandbox_url):
    """The sandbox process has Printfront's catalog (a file: it imports none of Printfront)."""
    page = requests.get(sandbox_url + "/", headers={"Accept-Language": "es-ES,es;q=0.9"}, timeout=10)
    assert '<html lang="es">' in page.text
    assert "Plataformas del sandbox" in page.text and "Crear una tienda de cualquier tamaño" in page.text
    shop = requests.get(
        sandbox_url + "/shops/woocommerce/demo-posters/", headers={"Accept-Language": "es"}, timeout=10
    )
    assert "Interruptores de fallos" in shop.text and "Failure switches" not in shop.text
    english = requests.get(sandbox_url + "/", headers={"Accept-Language": "en"}, timeout=10)
    assert "Sandbox platforms" in english.text
