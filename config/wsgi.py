import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
site = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve with settings that `manage.py check` rejects.
from core.checks import refuse_unsafe_settings  # noqa: E402  (needs the apps loaded above)

refuse_unsafe_settings()

from config.deliveries import routed  # noqa: E402  (a Django handler: needs the apps loaded)

application = routed(site)
