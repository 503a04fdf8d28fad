"""Run the sandbox platforms: `python -m sandbox [--port 8100]`.

Migrates its own database, loads the demo shops (idempotent) and serves until stopped."""

import argparse
import os
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sandbox.settings"
    os.environ.setdefault("SANDBOX_URL", f"http://{args.host}:{args.port}")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from sandbox.seed import seed

    seed()
    answer_without_delay()
    print(f"Sandbox platforms on http://{args.host}:{args.port}/", flush=True)
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, use_threading=True)


def answer_without_delay():
    """Send each answer at once. Django's development server writes the headers and the body in
    separate small writes; with Nagle's algorithm on, the body then waits for the client's
    delayed ACK (40 ms on Linux) on every keep-alive request, which real platforms do not add."""
    import socket

    from django.core.servers import basehttp

    class Handler(basehttp.WSGIRequestHandler):
        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    basehttp.WSGIRequestHandler = Handler


if __name__ == "__main__":
    sys.exit(main())
