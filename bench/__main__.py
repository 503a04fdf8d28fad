"""Run the in-process benchmarks: `python -m bench` (`make bench` runs these and bench.load, the
load benchmarks on real servers). Each figure is printed on its own line as
`BENCH <name> <value> <unit>`. Benchmarks run against a throwaway test database (SQLite by
default, PostgreSQL when DATABASE_URL is set)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench import (  # noqa: E402
    client_list,
    mapping_csv,
    orders_list,
    product_sync,
    products_list,
    webhook_ingest,
)

BENCHMARKS = [client_list, webhook_ingest, product_sync, products_list, mapping_csv, orders_list]


def main():
    setup_test_environment()
    if connection.vendor == "sqlite":
        # A file, not memory: the product sync's worker runs in a process of its own.
        connection.settings_dict["TEST"]["NAME"] = str(settings.VAR_DIR / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for benchmark in BENCHMARKS:
            benchmark.run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
