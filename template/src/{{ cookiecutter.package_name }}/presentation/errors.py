"""Maps application errors to HTTP responses; bodies never carry SQL, paths or stack traces."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from ..application.errors import (
    CustomerNotFoundError,
    EmailAlreadyRegisteredError,
    PermissionDeniedError,
    StorageUnavailableError,
)
from ..domain.customer import CustomerDeletedError
from ..domain.errors import InvalidValueError

logger = logging.getLogger(__name__)
Handler = Callable[[Request, Exception], Awaitable[JSONResponse]]


def _problem(status_code: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status_code, headers=headers)


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return _problem(status.HTTP_404_NOT_FOUND, "not_found", "customer not found")


async def _email_taken(request: Request, exc: Exception) -> JSONResponse:
    return _problem(status.HTTP_409_CONFLICT, "email_taken", "a customer with this e-mail address already exists")


async def _forbidden(request: Request, exc: Exception) -> JSONResponse:
    return _problem(status.HTTP_403_FORBIDDEN, "forbidden", str(exc))


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    field = exc.field if isinstance(exc, InvalidValueError) else "request"
    reason = exc.reason if isinstance(exc, InvalidValueError) else "invalid"
    return _problem(422, "invalid_value", f"{field}: {reason}")


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    return _problem(
        status.HTTP_503_SERVICE_UNAVAILABLE, "unavailable", "storage is unavailable, retry later", {"Retry-After": "5"}
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _problem(status.HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "internal error")


HANDLERS: dict[type[Exception], Handler] = {
    CustomerNotFoundError: _not_found,
    CustomerDeletedError: _not_found,
    EmailAlreadyRegisteredError: _email_taken,
    PermissionDeniedError: _forbidden,
    InvalidValueError: _invalid,
    StorageUnavailableError: _unavailable,
    Exception: _unexpected,
}


def register_error_handlers(app: FastAPI) -> None:
    for error, handler in HANDLERS.items():
        app.add_exception_handler(error, handler)
