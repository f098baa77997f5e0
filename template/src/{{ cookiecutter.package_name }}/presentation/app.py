"""The application factory shared by every entrypoint (uvicorn, gunicorn, Lambda, tests).

It knows no option: what an option adds (guards, observers, public routers, flush
hooks) comes in the Container that bootstrap.py builds.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ..infrastructure.seed import seed_examples
from ..infrastructure.settings import Settings
from .auth import document_bearer_auth
from .container import Container
from .errors import register_error_handlers
from .hardening import install_hardening
from .routers import customers, health

logger = logging.getLogger(__name__)


def create_app(settings: Settings, *, container: Container) -> FastAPI:
    """The app serving `container` (built by bootstrap.py, or by a test)."""
    app = FastAPI(
        title=settings.service_name,
        debug=settings.debug,
        lifespan=_lifespan,
        # Interactive docs and the schema reveal the whole surface: only outside prod.
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.container = container
    add_middleware(app, settings, container)
    include_routers(app, container)
    register_error_handlers(app)
    return app


def add_middleware(app: FastAPI, settings: Settings, container: Container) -> None:
    # Security headers, request id, CORS allow-list, the container's guards, body/JSON
    # limits and the 422 handler that never echoes input: see presentation/hardening.py.
    install_hardening(app, settings, container)


def include_routers(app: FastAPI, container: Container) -> None:
    app.include_router(health.router)
    app.include_router(customers.router)
    for router in container.public_routers:
        app.include_router(router)
    document_bearer_auth(app)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    container: Container = app.state.container
    await prepare_local_database(container)
    yield
    run_flush_hooks(container)
    await container.engine.dispose()


def run_flush_hooks(container: Container) -> None:
    """Writes what is batched in memory (e.g. security metrics); one failing hook does not stop the others."""
    for hook in container.flush_hooks:
        try:
            hook()
        except Exception:
            logger.exception("flush hook failed")


async def prepare_local_database(container: Container) -> None:
    """Local runs migrate and seed on start; deployed environments run migrations as a release step."""
    if container.settings.migrate_on_start:
        # Imported here: Alembic adds about a second to every cold start that does not migrate.
        from ..infrastructure.db.migrate import upgrade  # noqa: PLC0415 - deferred on purpose, see above

        await upgrade(container.engine)
    if container.settings.seed_example_data:
        created = await seed_examples(container.customers)
        logger.info("seeded %d example customers", created)
