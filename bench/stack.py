"""A throwaway Printfront in production shape, for the fault runs and the load benchmarks: its
own PostgreSQL database on DATABASE_URL's server (created, migrated, dropped), its own
redis-server on a free port (never the machine's shared one: the fault runs stop it), and real
gunicorn, Celery worker and beat processes, with DEBUG off.

Use it before Django is set up: `Stack(name).start_services()` points this process at the new
database and Redis, then `django.setup()`, then `migrate()` and the processes."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"Timed out waiting for {what}.")


class Stack:
    def __init__(self, name):
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit(f"{name} needs DATABASE_URL to point at PostgreSQL (got {url!r}).")
        parts = urlsplit(url)
        self.db_name = f"{parts.path.lstrip('/') or 'postgres'}_{name}"
        self.server_url = urlunsplit(parts._replace(path="/postgres"))
        self.database_url = urlunsplit(parts._replace(path="/" + self.db_name))
        self.dir = Path(tempfile.mkdtemp(prefix=f"printfront-{name}-"))
        self.redis_port, self.web_port = free_port(), free_port()
        self.redis = self.web = self.beat = None
        self.workers = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "DEBUG": "False",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": _fernet_key(),
            "SITE_URL": f"http://127.0.0.1:{self.web_port}",
            "VAR_DIR": str(self.dir),
            "DB_CONN_MAX_AGE": "600",
            "PYTHONUNBUFFERED": "1",
        }
        self.url = self.env["SITE_URL"]

    # --- services this process uses too ------------------------------------------------------

    def start_services(self):
        """Create the database, start Redis, and point this process at both."""
        self._sql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        self._sql(f'CREATE DATABASE "{self.db_name}"')
        self.start_redis()
        os.environ.update(self.env)

    def _sql(self, statement):
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(statement)

    def start_redis(self):
        if shutil.which("redis-server") is None:
            raise SystemExit("redis-server is not installed (apt-get install redis-server).")
        self.redis = subprocess.Popen(  # noqa: S603 (our own arguments)
            [
                *("redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.dir)),
            ],
            stdout=self._log("redis"),
            stderr=subprocess.STDOUT,
        )
        wait_until(self._redis_answers, 10, "redis-server")

    def kill_redis(self):
        """Redis dies: no persistence, so what was queued is gone."""
        self.redis.kill()
        self.redis.wait()

    def _redis_answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def migrate(self):
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

    # --- processes ----------------------------------------------------------------------------

    def _log(self, name):
        return open(self.dir / f"{name}.log", "ab")

    def _spawn(self, name, args):
        return subprocess.Popen(  # noqa: S603 (our own interpreter and code)
            [PYTHON, "-m", *args],
            cwd=ROOT,
            env=self.env,
            stdout=self._log(name),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed whole, children too
        )

    def start_web(self):
        self.web = self._spawn(
            "web",
            [
                *("gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.web_port}"),
                *os.environ.get("BENCH_GUNICORN_ARGS", "").split(),
            ],
        )
        wait_until(self._web_answers, 30, "gunicorn")

    def _web_answers(self):
        try:
            return requests.get(f"{self.url}/healthz/", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def start_worker(self, name="w1", concurrency=2):
        self.workers[name] = self._spawn(
            f"worker-{name}",
            [
                *("celery", "-A", "config", "worker", "-l", "warning", "-n", f"{name}@%h"),
                *("--concurrency", str(concurrency), "--without-gossip", "--without-mingle"),
            ],
        )

    def kill_worker(self, name="w1", sig=signal.SIGKILL):
        process = self.workers.pop(name)
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def start_beat(self):
        self.beat = self._spawn(
            "beat", ["celery", "-A", "config", "beat", "-l", "warning", "-s", str(self.dir / "beat")]
        )

    def stop(self):
        """Stop every process started here, and drop the database."""
        for name in list(self.workers):
            self.kill_worker(name, signal.SIGTERM)
        for process in (self.web, self.beat):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait()
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait()
        from django.db import connections

        connections.close_all()
        self._sql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, name, lines=30):
        path = self.dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _fernet_key():
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()
