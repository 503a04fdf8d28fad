"""The migration that makes store names distinct numbers the duplicates it finds."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(*targets):
    """Migrate the test database to `targets` (all apps' latest when none); their models."""
    executor = MigrationExecutor(connection)
    targets = list(targets) or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_duplicate_names_are_numbered(transactional_db):
    graph = MigrationExecutor(connection).loader.graph
    constraint = next(key for key in graph.nodes if key[1].endswith("store_unique_name_per_client"))
    parents = [node.key for node in graph.node_map[constraint].parents]
    previous = next(key for key in parents if key[0] == "storefronts")
    try:
        apps = migrate(previous)
        Client, Store = apps.get_model("connect", "Client"), apps.get_model("storefronts", "Store")
        acme, globex = Client.objects.create(name="Acme"), Client.objects.create(name="Globex")
        for name in ["Shop", "shop", "Shop (2)", "SHOP"]:
            Store.objects.create(client=acme, platform="manual", name=name)
        Store.objects.create(client=globex, platform="manual", name="Shop")

        Store = migrate(constraint).get_model("storefronts", "Store")
        names = Store.objects.filter(client__name="Acme").order_by("id").values_list("name", flat=True)
        assert list(names) == ["Shop", "shop (2)", "Shop (2) (2)", "SHOP (3)"]
        assert Store.objects.get(client__name="Globex").name == "Shop"
    finally:
        migrate()
