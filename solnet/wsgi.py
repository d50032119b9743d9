"""WSGI entry point: `gunicorn solnet.wsgi --config python:solnet.gunicorn_conf`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solnet.settings")
application = get_wsgi_application()
