import os

from celery import Celery, signals
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("printfront")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def refuse_unsafe_settings(**kwargs):
    """The worker and beat run no system checks: refuse to start with settings that
    `manage.py check` rejects, as config/wsgi.py does for gunicorn."""
    # Imported here: the apps are loaded by now, not when this module is.
    from core.checks import refuse_unsafe_settings

    try:
        refuse_unsafe_settings()
    except ImproperlyConfigured as refused:
        # Celery logs and then ignores an Exception from a signal receiver; SystemExit stops it.
        raise SystemExit(str(refused)) from None
