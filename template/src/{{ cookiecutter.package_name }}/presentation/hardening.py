"""Wires the always-on protections into the app, in the order they must run.

Outermost first: request context (id, client IP) -> access log (no query
string) -> security headers and the last-resort 500 -> CORS (only with an allow-list)
-> the container's guards (e.g. the rate limit, per known caller, else per client IP)
-> request limits -> routes. Everything that answers early (413, 415, 400, 429, CORS
preflight) still passes through the headers and the request id.

CSRF: the API authenticates with bearer tokens in the Authorization header only,
never with cookies. A browser attaches cookies to cross-site requests on its own,
but never an Authorization header, so a forged cross-site request arrives
unauthenticated; no CSRF token is needed. Keep it that way: never accept a
session or token cookie.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.middleware.cors import CORSMiddleware

from ..application.request_context import install_request_id_logging
from ..infrastructure.settings import Settings
from .container import Container
from .middleware.access_log import AccessLogMiddleware
from .middleware.client_ip import parse_networks
from .middleware.request_context import RequestContextMiddleware
from .middleware.request_limits import RequestLimitsMiddleware
from .middleware.security_headers import SecurityHeadersMiddleware
from .openapi import document_error_responses
from .validation_errors import validation_error_handler


def install_hardening(app: FastAPI, settings: Settings, container: Container) -> None:
    install_request_id_logging()
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    # add_middleware puts each new one outside the previous ones: innermost first.
    app.add_middleware(
        RequestLimitsMiddleware,
        max_body_bytes=settings.max_request_body_bytes,
        max_json_depth=settings.max_json_depth,
    )
    for guard in reversed(container.guards):
        app.add_middleware(guard.cls, *guard.args, **guard.kwargs)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            # Bearer tokens only (see above): the browser never needs to send cookies.
            allow_credentials=False,
            max_age=600,
        )
    app.add_middleware(SecurityHeadersMiddleware, hsts_max_age=settings.hsts_max_age_seconds)
    # Inside the request context (for the id), outside everything that can answer early.
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestContextMiddleware, trusted_proxies=parse_networks(settings.trusted_proxies))
    # What these layers answer, declared on every operation of the OpenAPI document.
    document_error_responses(app, rate_limited=container.rate_limited)
