"""Liveness for load balancers and readiness that also checks the database."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ..container import Container, app_container

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get("/health")
async def health() -> dict[str, str]:
    # No dependencies on purpose: a slow database must not make the ALB kill healthy tasks.
    return {"status": "ok"}


@router.get("/health/ready", responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"description": "Database unreachable"}})
async def ready(app: Annotated[Container, Depends(app_container)]) -> JSONResponse:
    try:
        async with app.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure means not ready; the cause goes to the log only
        logger.warning("readiness check failed", exc_info=True)
        return JSONResponse({"status": "unavailable"}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    return JSONResponse({"status": "ok"})
