"""Maps application errors to HTTP responses; bodies never carry SQL, paths or stack traces.

Every error body has one shape, `{"code": ..., "message": ...}` (422 adds `errors`):
the handlers here, the HTTPExceptions raised by dependencies (401, 403, 503, and
429 when rate limiting is on) and Starlette's own 404/405 all go through `_problem`,
and the middleware that answers early (413, 415, 400, last-resort 500, per-IP 429)
writes the same keys.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from ..application.errors import (
    CustomerNotFoundError,
    EmailAlreadyRegisteredError,
    PermissionDeniedError,
    StorageUnavailableError,
)
from ..domain.customer import CustomerDeletedError
from ..domain.errors import InvalidValueError

logger = logging.getLogger(__name__)
Handler = Callable[[Request, Exception], Awaitable[Response]]

# Stable, machine-readable codes for the statuses the HTTP layer raises itself.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def _problem(status_code: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status_code, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    """HTTPExceptions (auth dependencies, unknown routes, a per-principal 429) in the common shape."""
    if not isinstance(exc, StarletteHTTPException):
        return await _unexpected(request, exc)
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        headers = (headers or {}) | {"Allow": _allowed_methods(request)}
    if exc.status_code in {204, 304} or exc.status_code < 200:
        return Response(status_code=exc.status_code, headers=headers)
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = "error"
    # Details are written by this code base, never copied from the request; Starlette's are the phrase.
    message = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else phrase.lower()
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return _problem(exc.status_code, code, message, headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (RFC 9110 §15.5.6), not only the first route's."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    return ", ".join(allowed)


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
    StarletteHTTPException: _http_error,
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
