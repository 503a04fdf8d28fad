"""The product sync panel on a store page, and who may start a sync."""

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import products_sync
from catalog.models import RunState, SyncRun
from core.tenancy import Role
from storefronts.models import Store


@pytest.fixture
def shop_store(acme):
    """A connected WooCommerce store of Acme's (no platform is called: nothing is queued here)."""
    return Store.objects.create(
        client=acme.client,
        platform=Store.Platform.WOOCOMMERCE,
        name="Posters",
        shop_identity="https://posters.example",
        base_url="https://posters.example",
        credentials={"consumer_key": "ck_x", "consumer_secret": "cs_x"},
    )


def start(client, store):
    return client.post(reverse("catalog:store_sync_start", args=[store.code]))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STORE_MANAGER])
def test_admins_and_their_store_managers_start_a_sync(as_role, acme, shop_store, role):
    acme.members[Role.STORE_MANAGER].stores.add(shop_store)
    response = start(as_role(role), shop_store)
    assert response.status_code == 302
    run = SyncRun.objects.get(store=shop_store)
    assert run.state == RunState.QUEUED and run.started_by == acme.user(role)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ORDER_MANAGER])
def test_view_only_and_order_managers_cannot_start_one(as_role, shop_store, role):
    assert start(as_role(role), shop_store).status_code == 403
    assert not SyncRun.objects.exists()


def test_a_store_manager_cannot_sync_a_store_not_theirs(as_role, shop_store):
    assert start(as_role(Role.STORE_MANAGER), shop_store).status_code == 404
    assert not SyncRun.objects.exists()


def test_a_second_click_joins_the_running_sync(as_role, shop_store):
    client = as_role(Role.ADMIN)
    start(client, shop_store)
    start(client, shop_store)
    assert SyncRun.objects.filter(store=shop_store).count() == 1


def test_view_only_sees_the_summary_without_the_button(as_role, shop_store):
    SyncRun.objects.create(store=shop_store, state=RunState.DONE, products_seen=3, created=3, gone=1)
    panel = as_role(Role.VIEWER).get(reverse("catalog:store_sync", args=[shop_store.code]))
    assert "Products synced." in panel.text and 'data-count="gone">1<' in panel.text
    assert "Sync products" not in panel.text
    admin_panel = as_role(Role.ADMIN).get(reverse("catalog:store_sync", args=[shop_store.code]))
    assert "Sync products again" in admin_panel.text


def test_a_running_sync_is_polled_every_second(as_role, shop_store):
    SyncRun.objects.create(store=shop_store, state=RunState.RUNNING, products_seen=40, variants_seen=200)
    panel = as_role(Role.VIEWER).get(reverse("catalog:store_sync", args=[shop_store.code]))
    assert 'hx-trigger="every 1s"' in panel.text and "<progress" in panel.text
    assert "40 products and 200 variants read so far" in panel.text


def test_the_store_page_loads_the_panel_in_both_places(as_role, shop_store):
    page = as_role(Role.ADMIN).get(reverse("integrations:store", args=[shop_store.code]))
    url = reverse("catalog:store_sync", args=[shop_store.code])
    assert f"{url}?place=products" in page.text and f"{url}?place=settings" in page.text


def test_a_manual_store_cannot_be_synced(as_role, acme):
    assert start(as_role(Role.ADMIN), acme.store).status_code == 400
    assert not SyncRun.objects.exists()


def test_the_panel_reports_the_last_full_sync_and_the_last_check_for_changes_apart(as_role, shop_store):
    SyncRun.objects.create(store=shop_store, state=RunState.DONE, products_seen=120, created=120, gone=2)
    SyncRun.objects.create(
        store=shop_store, kind=SyncRun.Kind.INCREMENTAL, state=RunState.DONE, products_seen=1, updated=1
    )
    panel = as_role(Role.VIEWER).get(reverse("catalog:store_sync", args=[shop_store.code]))
    assert 'data-count="created">120<' in panel.text and 'data-count="gone">2<' in panel.text
    assert "Last check for changes:" in panel.text and "0 new, 1 updated." in panel.text


def test_incremental_runs_that_changed_nothing_are_dropped_once_a_newer_one_ran(shop_store):
    full = SyncRun.objects.create(store=shop_store, state=RunState.DONE, started_at=timezone.now())
    incremental = {"store": shop_store, "kind": SyncRun.Kind.INCREMENTAL, "state": RunState.DONE}
    empty = [SyncRun.objects.create(**incremental) for _ in range(3)]
    changed = SyncRun.objects.create(**incremental, updated=2)
    failed = SyncRun.objects.create(**{**incremental, "state": RunState.FAILED}, errors=["busy"])
    newest = SyncRun.objects.create(
        store=shop_store, kind=SyncRun.Kind.INCREMENTAL, state=RunState.RUNNING, started_at=timezone.now()
    )
    products_sync.finish(newest)
    assert set(SyncRun.objects.filter(store=shop_store).values_list("pk", flat=True)) == {
        full.pk,
        changed.pk,
        failed.pk,
        newest.pk,
    }
    assert not SyncRun.objects.filter(pk__in=[run.pk for run in empty]).exists()
    assert products_sync.incremental_since(shop_store) is not None
