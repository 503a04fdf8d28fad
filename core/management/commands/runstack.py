import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the whole product locally: web server, Celery worker, Celery beat and the sandbox "
        "platforms. Ctrl-C stops all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def processes(self, addrport):
        python = sys.executable
        processes = {
            "web": [python, "manage.py", "runserver", addrport],
            "worker": [python, "-m", "celery", "-A", "config", "worker", "-l", "info", "--concurrency", "2"],
            "beat": [python, "-m", "celery", "-A", "config", "beat", "-l", "info"],
        }
        if settings.SANDBOX_ENABLED:
            port = urlsplit(settings.SANDBOX_URL).port or 80
            processes["sandbox"] = [python, "-m", "sandbox", "--port", str(port)]
        return processes

    def handle(self, *args, addrport, **options):
        commands = self.processes(addrport)
        children = {name: subprocess.Popen(command) for name, command in commands.items()}  # noqa: S603
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with code {child.returncode}; stopping the rest.")
                    stopping, exit_code = True, 1
            time.sleep(0.5)
        self._stop_all(children.values())
        sys.exit(exit_code)

    def _stop_all(self, children):
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("Stopped.")
