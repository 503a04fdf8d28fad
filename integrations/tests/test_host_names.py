"""Shop addresses with a Unicode host name: requests and identities use the ASCII (IDNA) form,
people see what they typed."""

import pytest
from django.urls import reverse

from core.tenancy import Role
from integrations.pressero.adapter import normalise_host
from integrations.woocommerce.adapter import normalise_store_url
from storefronts.models import Store


@pytest.fixture
def admin(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


def test_one_shop_has_one_identity_however_it_is_typed():
    assert normalise_store_url("Bücher.Example/shop/") == "https://xn--bcher-kva.example/shop"
    assert normalise_store_url("https://xn--bcher-kva.example/shop") == "https://xn--bcher-kva.example/shop"
    assert normalise_host("https://Admin.Bücher.Example/") == "https://admin.xn--bcher-kva.example"


def test_the_store_page_shows_the_address_in_unicode(admin, acme):
    store = Store.objects.create(
        client=acme.client,
        platform="woocommerce",
        name="Bücher",
        base_url="https://xn--bcher-kva.example/shop",
    )
    page = admin.get(reverse("integrations:store", args=[store.code])).text
    assert "https://bücher.example/shop" in page
    assert "xn--" not in page


def test_a_woocommerce_address_that_cannot_be_found_is_named_as_typed(admin):
    response = admin.post(
        reverse("integrations:connect_woocommerce"),
        {"store_url": "https://Bücher.invalid/", "consumer_key": "ck_x", "consumer_secret": "cs_x"},
    )
    assert response.status_code == 200
    assert "Could not find the server bücher.invalid." in response.text
    assert "xn--" not in response.text
    assert not Store.objects.filter(platform="woocommerce").exists()


def test_a_pressero_host_that_cannot_be_found_is_named_as_typed(admin):
    response = admin.post(
        reverse("integrations:connect_pressero"),
        {
            "name": "Portal",
            "host": "admin.bücher.invalid",
            "username": "u",
            "password": "p",
            "subscriber_id": "7d4b6a1e-0000-4000-8000-000000000001",
            "consumer_id": "7d4b6a1e-0000-4000-8000-000000000002",
        },
    )
    assert "Could not find the server admin.bücher.invalid." in response.text
    assert "xn--" not in response.text


def test_a_host_name_that_is_not_valid_is_a_form_error(admin):
    response = admin.post(
        reverse("integrations:connect_woocommerce"),
        {"store_url": "https://bad\u200dname.example", "consumer_key": "ck_x", "consumer_secret": "cs_x"},
    )
    assert response.status_code == 200
    assert "Enter the shop" in response.text
