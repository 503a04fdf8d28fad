"""Product sync of a sandbox Shopify shop of 10,000 products x 5 variants, with the sandbox's
rate limits off so Printfront's own cost is measured, end to end through a real Celery worker
in its own process: the sandbox and the worker are started here, the shop is made with the
sandbox's `sandbox_bigshop` command and connected through Shopify's consent screen.

Prints the run's wall time, the worker's peak memory (VmHWM of its process; the solo pool does
the work in that process) and the SQL queries per page of products (counted in the worker around
each page and stored on the SyncRun)."""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection
from kombu import Connection

from catalog.models import RunState, StoreProduct, StoreVariant, SyncRun
from connect.models import Client
from core.testing import running_sandbox
from sandbox import demo_keys

PRODUCTS, VARIANTS = 10_000, 5
HANDLE = "bench-sync"
PATIENCE = 600  # seconds: a failure to finish, never the measure


def database_url():
    """The benchmark's database, for the worker: the same one this process uses."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def make_big_shop(folder, url):
    """The benchmark's shop, made with the sandbox's own command against its database."""
    env = {
        **os.environ,
        "VAR_DIR": str(folder),
        "SANDBOX_URL": url,
        "DJANGO_SETTINGS_MODULE": "sandbox.settings",
    }
    env.pop("SANDBOX_DATABASE_URL", None)
    subprocess.run(  # noqa: S603 (our own command)
        [
            sys.executable,
            "-m",
            "django",
            "sandbox_bigshop",
            "--platform",
            "shopify",
            "--handle",
            HANDLE,
            "--products",
            str(PRODUCTS),
            "--variants",
            str(VARIANTS),
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_worker(folder, sandbox_url, queue):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        # As `make run` starts it: the sandbox is a development tool, so DEBUG is on.
        "DEBUG": "True",
        "SANDBOX_ENABLED": "True",
        "SANDBOX_URL": sandbox_url,
        "VAR_DIR": str(folder),
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    log = open(folder / "worker.log", "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(  # noqa: S603 (our own command)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue if settings.REDIS_URL else "celery",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def send(task, run_id, queue, folder):
    """Queue the run for this benchmark's worker alone. On Redis, through a queue of its own;
    with the embedded filesystem broker (no REDIS_URL), whose routing is not shared between
    processes, through the default queue in the worker's own folder (its VAR_DIR)."""
    if settings.REDIS_URL:
        task.apply_async((run_id,), queue=queue)
        return
    broker = folder / "broker"
    options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
    }
    for name in ("queue", "processed", "control"):
        (broker / name).mkdir(parents=True, exist_ok=True)
    with Connection("filesystem://localhost//", transport_options=options) as connection:
        task.apply_async((run_id,), connection=connection)


def peak_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run():
    from catalog import tasks
    from catalog.tests.helpers import shopify_store

    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    with running_sandbox(folder) as url:
        make_big_shop(folder, url)
        measure(folder, url, tasks, shopify_store)


def measure(folder, url, tasks, shopify_store):
    # This process connects the store as the web process would, through the sandbox.
    settings.SANDBOX_ENABLED = True
    settings.SANDBOX_URL = url
    settings.SHOPIFY_ADMIN_URL = f"{url}/shopify/{{shop}}"
    settings.SHOPIFY_API_KEY = demo_keys.SHOPIFY_APP_CLIENT_ID
    settings.SHOPIFY_API_SECRET = demo_keys.SHOPIFY_APP_CLIENT_SECRET
    # Its own queue, so no other worker on the same broker takes the run.
    queue = f"bench-product-sync-{uuid.uuid4().hex[:8]}"
    worker, worker_log = start_worker(folder, url, queue)
    try:
        client = Client.objects.create(name="Bench sync", storefronts_enabled=True)
        store = shopify_store(client, HANDLE, name="Bench sync shop")
        run = SyncRun.objects.create(store=store)
        started = time.perf_counter()
        send(tasks.sync_products, run.id, queue, folder)
        give_up = time.monotonic() + PATIENCE
        while True:
            run.refresh_from_db()
            if run.state in (RunState.DONE, RunState.FAILED) or time.monotonic() > give_up:
                break
            if worker.poll() is not None:
                raise RuntimeError(f"the worker stopped: {(folder / 'worker.log').read_text()[-2000:]}")
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        if run.state != RunState.DONE:
            raise RuntimeError(f"the sync did not finish: {run.state} {run.message}")
        assert StoreProduct.objects.filter(store=store).count() == PRODUCTS
        assert StoreVariant.objects.filter(store=store).count() == PRODUCTS * VARIANTS
        print(f"BENCH product_sync_seconds {seconds:.1f} s")
        print(f"BENCH product_sync_peak_mb {peak_mb(worker.pid):.0f} MB")
        print(f"BENCH product_sync_queries_per_page {run.queries / run.pages:.1f} queries")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        worker_log.close()
