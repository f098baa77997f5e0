"""Resolves the calling Principal from the Authorization header, once per request, in the route.

Routers that serve callers are built with `APIRouter(route_class=AuthenticatedRoute)`:
the route authenticates before FastAPI reads the body or resolves any dependency,
so an anonymous caller gets 401 before a 422 could tell it the shape of the API,
and the request pays no dependency resolution for it (about 12 µs a `Depends`
with FastAPI 0.16x). Endpoints read the caller with `principal_of(request)` and
pass it into the use cases. tests/test_api.py fails when a route is neither
authenticated nor on the short list of public paths.

With the verifier's cache of already-verified tokens an authenticated request
costs little more than an anonymous one. The header is capped before anything
decodes it. The token never reaches a response or a log line; why it
failed is an `AuthFailureReason` (a closed, log-safe set) for logs and for the
container's auth observers (audit, metrics, per-principal rate limit), while the
client only ever sees a generic 401 or 503.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response, status
from fastapi.routing import APIRoute
from starlette.types import Scope

from ..application.errors import AuthenticationError, AuthenticationUnavailableError, AuthFailureReason
from ..application.security import Principal
from .container import container

MAX_AUTHORIZATION_HEADER_BYTES = 8192
# Served without authentication, with the routes of the container's public routers (public_paths());
# every other route must be an AuthenticatedRoute (tests/test_api.py checks it). The rate limit counts
# requests to these per client IP even when a valid token comes along.
PUBLIC_PATHS = frozenset({"/health", "/health/ready", "/docs", "/docs/oauth2-redirect", "/openapi.json"})
# Where AuthenticatedRoute leaves the caller: an ASGI scope key (like Starlette's `auth` and `user`),
# namespaced so that no server or other middleware can collide with it.
_PRINCIPAL = f"{__name__}.principal"
_SCHEME = "bearerAuth"

LOCAL_DEVELOPER = Principal(subject="local-developer", roles=frozenset({"admin"}), scopes=frozenset(), tenant=None)
# The only thing a client learns is which of RFC 6750's three cases applies.
_CHALLENGES = {
    AuthFailureReason.MISSING_TOKEN: "Bearer",
    AuthFailureReason.INVALID_REQUEST: 'Bearer error="invalid_request"',
    AuthFailureReason.HEADER_TOO_LARGE: 'Bearer error="invalid_request"',
}
_INVALID_TOKEN = 'Bearer error="invalid_token"'  # noqa: S105 - an RFC 6750 challenge, not a credential


def bearer_token(authorization: str | None) -> str:
    """The token from an `Authorization: Bearer <token>` header; AuthenticationError otherwise."""
    if not authorization:
        raise AuthenticationError("no credentials", AuthFailureReason.MISSING_TOKEN)
    if len(authorization) > MAX_AUTHORIZATION_HEADER_BYTES:
        raise AuthenticationError("header too large", AuthFailureReason.HEADER_TOO_LARGE)
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthenticationError("not a bearer token", AuthFailureReason.INVALID_REQUEST)
    return token


def authorization_header(scope: Scope) -> str | None:
    """The first Authorization header, read from the ASGI scope without building a Headers object."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            return str(value.decode("latin-1"))
    return None


async def authenticate(request: Request) -> Principal:
    """The caller of this request; an HTTPException (401, 503, or what an observer raises) otherwise."""
    app = container(request)
    if not app.settings.auth_enabled:
        # Settings refuse AUTH_ENABLED=false in prod; this is for local experiments only.
        return LOCAL_DEVELOPER
    try:
        principal = await app.token_verifier.verify(bearer_token(authorization_header(request.scope)))
    except AuthenticationError as error:
        for observer in app.auth_observers:
            observer.rejected(request, error.reason)
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="not authenticated",
            headers={"WWW-Authenticate": _CHALLENGES.get(error.reason, _INVALID_TOKEN)},
        ) from None
    except AuthenticationUnavailableError as error:
        for observer in app.auth_observers:
            observer.rejected(request, error.reason)
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="authentication is temporarily unavailable",
            headers={"Retry-After": "5"},
        ) from None
    for observer in app.auth_observers:
        await observer.authenticated(request, principal)
    return principal


class AuthenticatedRoute(APIRoute):
    """A route that authenticates its caller first: use as `APIRouter(route_class=AuthenticatedRoute)`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        # Marks the operation in OpenAPI, so /docs shows the lock and sends the token.
        options["openapi_extra"] = {"security": [{_SCHEME: []}]} | (options.get("openapi_extra") or {})
        super().__init__(path, endpoint, **options)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def authenticate_then_handle(request: Request) -> Response:
            request.scope[_PRINCIPAL] = await authenticate(request)
            return await handle(request)

        return authenticate_then_handle


def document_bearer_auth(app: FastAPI) -> None:
    """Declares the bearer scheme that AuthenticatedRoute operations refer to in the OpenAPI document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes[_SCHEME] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema


def principal_of(request: Request) -> Principal:
    """The caller AuthenticatedRoute resolved. A route without it fails closed (500), never anonymous."""
    principal = request.scope.get(_PRINCIPAL)
    if not isinstance(principal, Principal):
        raise RuntimeError("principal_of() called from a route that is not an AuthenticatedRoute")
    return principal


def public_paths(public_routers: Iterable[APIRouter]) -> frozenset[str]:
    """PUBLIC_PATHS and the paths of the routers served without authentication (e.g. an OAuth token endpoint)."""
    paths = {route.path for router in public_routers for route in router.routes if isinstance(route, APIRoute)}
    return PUBLIC_PATHS | paths
