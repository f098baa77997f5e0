"""ASGI app for uvicorn and gunicorn: `uvicorn <package>.entrypoints.asgi:app`."""

import logging

from ..bootstrap import build_app
from ..infrastructure.settings import Settings
from ..presentation.middleware.access_log import silence_server_access_logs

settings = Settings()
logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
# The app writes its own access line (no query string, with the request id).
silence_server_access_logs()
app = build_app(settings)
