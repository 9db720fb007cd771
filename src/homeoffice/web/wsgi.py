"""WSGI entry point: gunicorn homeoffice.web.wsgi.

Each server process loads, before its first request, what every request would otherwise load on
first use (the URL configuration with every view, the texts, the built-in instruments and their
page plans: ~4 s of CPU), so the first people to answer after a start or a restart do not wait.
Page saves take the quick path of ``responses/quick_save.py``.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeoffice.web.settings")
application = get_wsgi_application()

from homeoffice.web.responses.quick_save import QuickPageSave, warm_up  # noqa: E402 (needs the settings)

warm_up()
application = QuickPageSave(application)
