"""`make faults`: order deliveries through real gunicorn, Redis and Celery processes while
things go wrong, then count. One line a scenario:

    FAULT <name> sent=N acknowledged=N orders=N doubles=N

sent: distinct orders sent; acknowledged: those every delivery of which was answered 2xx;
orders: distinct orders that exist afterwards; doubles: orders made more than once (more than
one "received" event, or more items than lines). Exits non-zero unless sent, acknowledged and
orders agree and nothing doubled (and, out of order, every order ended as its newest report).

Needs DATABASE_URL (PostgreSQL; a database `<name>_faults` is created and dropped on its
server) and redis-server (started here on a free port, and stopped in `redis_down`)."""

import os
import random
import signal
import sys
import threading
import time
from concurrent.futures import wait

import django

from bench.stack import Stack

ORDERS = int(os.environ.get("FAULT_ORDERS", "1000"))
SETTLE_SECONDS = 180  # the sweep (every 10 s) wakes a drain for what waits untaken 15 s


def settle(store, expected):
    """Wait until nothing of the store's waits in the inbox and `expected` orders exist."""
    from integrations.models import WebhookDelivery
    from orders.models import Order

    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        waiting = WebhookDelivery.objects.filter(store=store, state="received").exists()
        if not waiting and Order.objects.filter(store=store).count() >= expected:
            return
        time.sleep(0.5)


def tally(name, store, sender, problems=0):
    from django.db.models import Count, Q

    from bench.shop import LINES
    from orders.models import Order, OrderEvent

    settle(store, len(sender.answers))
    orders = Order.objects.filter(store=store)
    doubles = (
        orders.annotate(
            received=Count("events", filter=Q(events__kind=OrderEvent.Kind.RECEIVED), distinct=True),
            lines=Count("items", distinct=True),
        )
        .filter(Q(received__gt=1) | Q(lines__gt=LINES))
        .count()
    )
    sent, acknowledged, made = len(sender.answers), len(sender.acknowledged()), orders.count()
    print(f"FAULT {name} sent={sent} acknowledged={acknowledged} orders={made} doubles={doubles}", flush=True)
    ok = sent == acknowledged == made and doubles == 0 and problems == 0
    if not ok:
        from integrations.models import WebhookDelivery

        states = WebhookDelivery.objects.filter(store=store).values("state").annotate(n=Count("id"))
        print(f"  {name} failed: deliveries by state {list(states)}, other problems {problems}", flush=True)
    return ok


def when_orders_reach(store, count, action):
    """Run `action` (in a thread) once the store has `count` orders: mid-batch, mid-ingest."""
    from orders.models import Order

    def watch():
        while Order.objects.filter(store=store).count() < count:
            time.sleep(0.05)
        action()

    thread = threading.Thread(target=watch)
    thread.start()
    return thread


def send_all(sender, jobs):
    wait([sender.submit(*job) for job in jobs])


def scenario(name):
    def register(function):
        SCENARIOS.append((name, function))
        return function

    return register


SCENARIOS = []


@scenario("duplicates")
def duplicates(stack, store, sender):
    """Each order three times: a third of them with the copies sent at the same moment."""
    from bench.shop import order_body

    def together(number):
        body = order_body(number)
        copies = [threading.Thread(target=sender.send, args=(number, body)) for _ in range(3)]
        for copy in copies:
            copy.start()
        for copy in copies:
            copy.join()

    jobs = [(together, number) for number in range(1, ORDERS + 1) if number % 3 == 0]
    jobs += [(sender.send, number, order_body(number)) for number in range(1, ORDERS + 1) if number % 3] * 3
    random.Random(1).shuffle(jobs)  # noqa: S311 (an order of sending, not a secret)
    send_all(sender, jobs)
    return 0


@scenario("out_of_order")
def out_of_order(stack, store, sender):
    """order.updated (newer) before order.created (older): the order ends as the newer says."""
    from bench.shop import UPDATED, order_body

    send_all(
        sender,
        [
            (
                sender.send,
                n,
                order_body(n, modified=UPDATED, customer="Bo Chan", quantities=(3, 4)),
                "order.updated",
            )
            for n in range(1, ORDERS + 1)
        ],
    )
    send_all(sender, [(sender.send, n, order_body(n)) for n in range(1, ORDERS + 1)])
    settle(store, ORDERS)
    return wrong_orders(store)


def wrong_orders(store):
    """Orders that do not match their newest report (the updated one)."""
    from orders.models import Order

    wrong = 0
    for order in Order.objects.filter(store=store).prefetch_related("items"):
        quantities = sorted(item.quantity for item in order.items.all())
        mapped = all(item.catalog_variant_id for item in order.items.all())
        if (order.customer_name, str(order.total), quantities, mapped) != ("Bo Chan", "87.50", [3, 4], True):
            wrong += 1
    if wrong:
        print(f"  out_of_order: {wrong} orders do not match their newest report", flush=True)
    return wrong


@scenario("worker_sigkill")
def worker_sigkill(stack, store, sender):
    """The worker (all its processes) is killed with SIGKILL mid-batch, then started again."""
    from bench.shop import order_body

    def kill_and_restart():
        stack.kill_worker("w1", signal.SIGKILL)
        time.sleep(1)
        stack.start_worker("w1")

    watcher = when_orders_reach(store, ORDERS // 3, kill_and_restart)
    send_all(sender, [(sender.send, n, order_body(n)) for n in range(1, ORDERS + 1)])
    watcher.join()
    return 0


@scenario("redis_down")
def redis_down(stack, store, sender):
    """Redis (cache and broker) dies during ingest, losing what was queued; every delivery is
    still stored and answered, and the sweep drains them once it is back."""
    from bench.shop import order_body

    jobs = [(sender.send, n, order_body(n)) for n in range(1, ORDERS + 1)]
    third = len(jobs) // 3
    send_all(sender, jobs[:third])
    stack.kill_redis()
    send_all(sender, jobs[third : 2 * third])
    stack.start_redis()
    send_all(sender, jobs[2 * third :])
    return 0


@scenario("two_workers")
def two_workers(stack, store, sender):
    """Two worker processes drain one queue side by side: each delivery is applied once."""
    from bench.shop import order_body
    from integrations.models import WebhookDelivery

    stack.start_worker("w2")
    try:
        send_all(sender, [(sender.send, n, order_body(n)) for n in range(1, ORDERS + 1)])
        settle(store, ORDERS)
    finally:
        stack.kill_worker("w2", signal.SIGTERM)
    twice = WebhookDelivery.objects.filter(store=store, attempts__gt=1).count()
    if twice:
        print(f"  two_workers: {twice} deliveries were tried more than once", flush=True)
    return twice


def main():
    wanted = set(sys.argv[1:])
    stack = Stack("faults")
    stack.start_services()
    django.setup()
    from bench.shop import Sender, seed_store

    ok = True
    try:
        stack.migrate()
        stack.start_web()
        stack.start_worker("w1")
        stack.start_beat()
        started = time.monotonic()
        for name, run in SCENARIOS:
            if wanted and name not in wanted:
                continue
            store = seed_store(name.replace("_", "-"))
            sender, began = Sender(stack.url, store), time.monotonic()
            try:
                problems = run(stack, store, sender)
                sent = time.monotonic()
            finally:
                sender.close()
            passed = tally(name, store, sender, problems)
            if not passed:
                for log in ("worker-w1", "beat", "web"):
                    print(f"--- {log}.log\n{stack.log_tail(log)}", flush=True)
            ok &= passed
            print(
                f"  {name}: sent in {sent - began:.0f} s, settled in {time.monotonic() - sent:.0f} s",
                flush=True,
            )
        print(f"faults: {time.monotonic() - started:.0f} s", flush=True)
    except BaseException:
        for log in ("web", "worker-w1", "beat"):
            print(f"--- {log}.log\n{stack.log_tail(log)}", file=sys.stderr)
        raise
    finally:
        stack.stop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
