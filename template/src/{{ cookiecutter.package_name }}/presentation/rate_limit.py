"""The inner rate limit: each request counts once, per principal when the caller is known, else per client IP.

The WAF rate-based rule is the outer layer; this one also counts per principal
and works the same behind API Gateway, an ALB or locally. A request to the API
counts against its principal when its bearer token already passed verification in
this process (a lookup in the verifier's cache: no crypto, no I/O); everything
else counts against the client IP before any token is verified: anonymous
requests, missing, invalid or not yet cached tokens, and every request to a public
path (the token endpoint checks client secrets: a valid token must not lift its
IP limit). Verified callers behind a shared NAT thus mostly stop sharing one IP
budget, and one counter per request means one store round trip when the store is
Redis. A token's uncached requests count against both: its IP here, its principal
once verified.

The client IP comes from the request context (trusted proxies only), so a forged
X-Forwarded-For header cannot pick a fresh bucket. IPv6 clients are counted per
/64, the smallest block a single subscriber usually gets.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request, status
from limits import RateLimitItem
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from ..application.errors import AuthenticationError, AuthFailureReason
from ..application.request_context import current_request
from ..application.security import Principal
from ..infrastructure.rate_limit import Decision, RateLimiter, create_storage, storage_uri
from ..infrastructure.settings import Settings
from .auth import authorization_header, bearer_token

# The principal a request was already counted against, so authentication does not count it twice.
_COUNTED_FOR = f"{__name__}.counted_for"


@dataclass(frozen=True, slots=True)
class RateLimits:
    limiter: RateLimiter
    per_ip: RateLimitItem
    per_principal: RateLimitItem
    # Told the scope ("ip" or "principal") of every request answered 429, e.g. the security metrics.
    listeners: tuple[Callable[[str], None], ...] = ()

    def limited(self, scope: str) -> None:
        for listener in self.listeners:
            listener(scope)


def build_rate_limits(settings: Settings, listeners: tuple[Callable[[str], None], ...] = ()) -> RateLimits:
    storage = create_storage(storage_uri(settings))
    return RateLimits(
        limiter=RateLimiter(storage, fail_open=settings.rate_limit_fail_open),
        per_ip=RateLimiter.parse(settings.rate_limit_per_ip),
        per_principal=RateLimiter.parse(settings.rate_limit_per_principal),
        listeners=listeners,
    )


def rate_limit_guard(
    limits: RateLimits, known_caller: Callable[[str], Principal | None], public_paths: frozenset[str]
) -> Middleware:
    """The container's guard that counts every request once, before routing."""
    return Middleware(RateLimitMiddleware, limits=limits, known_caller=known_caller, public_paths=public_paths)


def ip_key(client_ip: str) -> str:
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return client_ip[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def too_many_requests(retry_after: int) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        detail="too many requests",
        headers={"Retry-After": str(retry_after)},
    )


class RateLimitMiddleware:
    """Counts every HTTP request once, before routing; answers 429 without calling the app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: RateLimits,
        known_caller: Callable[[str], Principal | None],
        public_paths: frozenset[str],
    ) -> None:
        self.app = app
        self.limits = limits
        self.known_caller = known_caller
        self.public_paths = public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        principal = self._known_caller(scope)
        if principal is None:
            decision = await self.limits.limiter.hit(self.limits.per_ip, "ip", ip_key(current_request().client_ip))
        else:
            decision = await _hit_principal(self.limits, principal)
            scope[_COUNTED_FOR] = principal
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        self.limits.limited("ip" if principal is None else "principal")
        body = json.dumps({"code": "rate_limited", "message": "too many requests"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status.HTTP_429_TOO_MANY_REQUESTS,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(decision.retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _known_caller(self, scope: Scope) -> Principal | None:
        authorization = authorization_header(scope)
        if authorization is None or _route_path(scope) in self.public_paths:
            return None
        try:
            return self.known_caller(bearer_token(authorization))
        except AuthenticationError:
            return None  # malformed: counted per IP here, answered 401 by the route


def _route_path(scope: Scope) -> str:
    """The path the app routes on: without the root path a proxy or API Gateway stage may add."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    return path[len(root_path) :] if root_path and path.startswith(root_path) else path


async def _hit_principal(limits: RateLimits, principal: Principal) -> Decision:
    return await limits.limiter.hit(limits.per_principal, "principal", principal.tenant or "-", principal.subject)


async def limit_principal(limits: RateLimits, principal: Principal, scope: Scope) -> None:
    """Raises 429 when the authenticated caller is over its own limit (all their IPs together).

    Called once the token is verified; a request that RateLimitMiddleware already counted
    for this caller is not counted again.
    """
    if scope.get(_COUNTED_FOR) == principal:
        return
    decision = await _hit_principal(limits, principal)
    if not decision.allowed:
        limits.limited("principal")
        raise too_many_requests(decision.retry_after)


class PrincipalRateLimit:
    """The AuthObserver that applies the per-principal limit once a token is verified."""

    __slots__ = ("limits",)

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits

    async def authenticated(self, request: Request, principal: Principal) -> None:
        await limit_principal(self.limits, principal, request.scope)

    def rejected(self, request: Request, reason: AuthFailureReason) -> None:
        """A rejected token was already counted per IP by RateLimitMiddleware."""
