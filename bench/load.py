"""Load benchmarks on a production-shaped stack (bench.stack: gunicorn as the Dockerfile runs it,
PostgreSQL, Redis, DEBUG off), measured with wrk in one run:

    BENCH ingest_vs_bare_view_ratio   webhook ingest req/s / a bare view's req/s (goal >= 0.35)
    BENCH ingest_p99_ms_c50           p99 of webhook ingest at 50 connections (goal <= 100 ms)
    BENCH orders_e2e_per_second       webhook to processed order with mapped items, one worker
                                      (goal >= 200)

Every ingest request carries a different signed WooCommerce order (pre-signed here: wrk's Lua
has no HMAC), so each one is a new delivery stored, as in production. Run: `python -m bench.load`
(part of `make bench`); needs DATABASE_URL (PostgreSQL), redis-server and wrk."""

import os
import re
import shutil
import signal
import subprocess
import time

import django

from bench.stack import Stack

DURATION = "10s"
THREADS = 2
RATIO_CONNECTIONS = 16
P99_CONNECTIONS = 50
# More than wrk can send in DURATION here, so no delivery repeats (a repeat costs differently).
SIGNED_BODIES = 30000
E2E_ORDERS = 2000

WRK_SCRIPT = """
local bodies, n = {}, 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  local count = tonumber(args[2])
  local i = 0
  for line in io.lines(args[1]) do
    if i % count == id then
      local signature, body = line:match("^(%S+)\\t(.*)$")
      table.insert(bodies, {signature, body})
    end
    i = i + 1
  end
end
function request()
  n = n % #bodies + 1
  local headers = {["Content-Type"] = "application/json", ["X-WC-Webhook-Topic"] = "order.created",
                   ["X-WC-Webhook-Signature"] = bodies[n][1]}
  return wrk.format("POST", nil, headers, bodies[n][2])
end
function done(summary, latency, requests)
  io.write(string.format("WRKRESULT %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(99), summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
"""
BARE_SCRIPT = """
wrk.method = "POST"
function done(summary, latency, requests)
  io.write(string.format("WRKRESULT %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(99), summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
"""


class Wrk:
    def __init__(self, stack):
        self.stack = stack
        self.ingest_script = stack.dir / "ingest.lua"
        self.bare_script = stack.dir / "bare.lua"
        self.ingest_script.write_text(WRK_SCRIPT)
        self.bare_script.write_text(BARE_SCRIPT)

    def run(self, url, *, connections, bodies=None):
        """(requests per second, p99 ms) of `url` under wrk; refuses a run with failed requests."""
        script = ["-s", str(self.ingest_script if bodies else self.bare_script)]
        command = [
            "wrk",
            f"-t{THREADS}",
            f"-c{connections}",
            f"-d{DURATION}",
            "--timeout",
            "10s",
            *script,
            url,
        ]
        if bodies:
            command += ["--", str(bodies), str(THREADS)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
        requests, duration_us, p99_us, errors = map(
            int, re.search(r"WRKRESULT (.+)", output).group(1).split()
        )
        if errors:
            raise RuntimeError(f"wrk: {errors} of {requests} requests failed\n{output}")
        return requests / (duration_us / 1e6), p99_us / 1000


def signed_bodies(stack, store, first, count):
    """A file of `count` signed order bodies, one `signature<TAB>body` a line."""
    from bench.shop import Sender, order_body

    sender = Sender(stack.url, store, threads=1)
    path = stack.dir / f"bodies-{first}.txt"
    with path.open("w") as lines:
        for number in range(first, first + count):
            body = order_body(number)
            lines.write(
                f"{sender.headers(body, 'order.created')['X-WC-Webhook-Signature']}\t{body.decode()}\n"
            )
    sender.close()
    return path


def ingest(stack, store, wrk):
    from django.urls import reverse

    url = stack.url + reverse("hooks:woocommerce", args=[store.code])
    bare = stack.url + reverse("bench_bare")
    bodies = signed_bodies(stack, store, 1, SIGNED_BODIES)
    wrk.run(bare, connections=RATIO_CONNECTIONS)  # warm: every gunicorn worker connected
    bare_rate, _ = wrk.run(bare, connections=RATIO_CONNECTIONS)
    ingest_rate, _ = wrk.run(url, connections=RATIO_CONNECTIONS, bodies=bodies)
    print(f"BENCH ingest_vs_bare_view_ratio {ingest_rate / bare_rate:.2f} ratio", flush=True)
    print(f"  (bare view {bare_rate:.0f} req/s, ingest {ingest_rate:.0f} req/s, c={RATIO_CONNECTIONS})")
    more = signed_bodies(stack, store, 1 + SIGNED_BODIES, SIGNED_BODIES)
    rate, p99 = wrk.run(url, connections=P99_CONNECTIONS, bodies=more)
    print(f"BENCH ingest_p99_ms_c50 {p99:.1f} ms", flush=True)
    print(f"  ({rate:.0f} req/s at c={P99_CONNECTIONS})")


def orders_e2e(stack):
    """Orders sent over HTTP (16 connections) with one worker process draining: from the first
    request to the last order stored with its items linked."""
    from concurrent.futures import wait

    from bench.shop import Sender, order_body, seed_store
    from orders.models import Order, OrderItem

    store = seed_store("e2e")
    stack.start_worker("w1", concurrency=1)
    time.sleep(3)  # started and listening
    sender = Sender(stack.url, store)
    began = time.monotonic()
    wait([sender.submit(sender.send, n, order_body(n)) for n in range(1, E2E_ORDERS + 1)])
    while Order.objects.filter(store=store).count() < E2E_ORDERS:
        time.sleep(0.1)
    elapsed = time.monotonic() - began
    sender.close()
    stack.kill_worker("w1", signal.SIGTERM)  # the ingest runs next, with no worker taking CPU
    assert len(sender.acknowledged()) == E2E_ORDERS
    assert not OrderItem.objects.filter(order__store=store, catalog_variant__isnull=True).exists()
    print(f"BENCH orders_e2e_per_second {E2E_ORDERS / elapsed:.0f} orders/s", flush=True)


def main():
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench.load needs {tool} (apt-get install {tool}).")
    stack = Stack("load")
    stack.start_services()
    django.setup()
    from bench.shop import seed_store

    try:
        stack.migrate()
        stack.start_web()
        # First: the ingest benchmark leaves tens of thousands of deliveries a worker would drain.
        orders_e2e(stack)
        ingest(stack, seed_store("ingest"), Wrk(stack))
    finally:
        print("  load average: " + " ".join(f"{load:.1f}" for load in os.getloadavg()))
        stack.stop()


if __name__ == "__main__":
    main()
