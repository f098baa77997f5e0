"""ASGI app for uvicorn and gunicorn: `uvicorn <package>.entrypoints.asgi:app`."""

import logging

from ..infrastructure.settings import Settings
from ..presentation.app import create_app

settings = Settings()
logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
app = create_app(settings)
