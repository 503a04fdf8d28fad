"""gunicorn's settings (it reads this file from the working directory): the Dockerfile,
docker-compose.yml and the load benchmarks (bench/stack.py) all run with these."""

import multiprocessing
import os

# gunicorn's own rule for sync workers, two per core and one more: while one waits on
# PostgreSQL or Redis, another has the core (docs/benchmarks.md, "Webhook ingest").
# WEB_CONCURRENCY sets another number.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
timeout = 30
