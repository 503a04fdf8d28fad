import os
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from core.supervisor import Supervisor


def collect_static():
    """Without DEBUG, WhiteNoise serves static files from STATIC_ROOT and the manifest storage
    needs its manifest, as in production: collect them first, or every page is a 500."""
    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)


class Command(BaseCommand):
    help = (
        "Run the whole product locally: web server, Celery worker, Celery beat and the sandbox "
        "platforms. A process that exits is restarted; Ctrl-C stops all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default=f"127.0.0.1:{settings.PORT}")

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
        collect_static()
        # Every process sees the addresses this one settled on (PORT may have moved them).
        os.environ.update(SITE_URL=settings.SITE_URL, SANDBOX_URL=settings.SANDBOX_URL)
        supervisor = Supervisor(self.processes(addrport), say=self.stderr.write)
        supervisor.handle_signals()
        supervisor.run()
