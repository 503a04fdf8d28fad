"""gunicorn's settings (it reads this file from the working directory): the Dockerfile,
docker-compose.yml and the load benchmarks (bench/stack.py) all run with these."""

import os

# gunicorn's own rule for sync workers, two per core and one more: while one waits on
# PostgreSQL or Redis, another has the core (docs/benchmarks.md, "Webhook ingest"). The cores
# this process may run on, not the host's; at most MOST_WORKERS, as each holds a database
# connection (PostgreSQL allows 100 by default). WEB_CONCURRENCY sets another number.
MOST_WORKERS = 9
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * len(os.sched_getaffinity(0)) + 1, MOST_WORKERS))
timeout = 30
