"""What the web layer needs from a running app: built once per process by bootstrap.py, read per request.

Nothing here knows which options a project was generated with: an option adds an
observer, a guard, a router or a flush hook through its wiring module (wiring/).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware

from ..application.customers import CustomerUseCases
from ..application.errors import AuthFailureReason
from ..application.ports import TokenVerifier
from ..application.security import Principal
from ..infrastructure.settings import Settings


class AuthObserver(Protocol):
    """Told the outcome of every authentication (presentation/auth.py), with the log-safe reason of a failure.

    `authenticated` may raise an HTTPException (e.g. 429 over a per-principal limit);
    the client-facing 401/503 of a failure never changes.
    """

    async def authenticated(self, request: Request, principal: Principal) -> None: ...

    def rejected(self, request: Request, reason: AuthFailureReason) -> None: ...


@dataclass(frozen=True, slots=True)
class Container:
    settings: Settings
    engine: AsyncEngine
    customers: CustomerUseCases
    token_verifier: TokenVerifier
    # Told every authentication outcome, in this order.
    auth_observers: tuple[AuthObserver, ...] = ()
    # Middleware that may answer before routing (e.g. 429), run between CORS and the request limits.
    guards: tuple[Middleware, ...] = ()
    # Whether a guard may answer 429 to any operation: declared in the OpenAPI document.
    rate_limited: bool = False
    # Routes served without authentication (each authenticates its caller itself, e.g. OAuth client auth).
    public_routers: tuple[APIRouter, ...] = ()
    # Run at shutdown and, on Lambda, after every invocation (it may be the last):
    # each writes what a component batches in memory. See presentation/app.py.
    flush_hooks: tuple[Callable[[], None], ...] = ()


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


# The dependencies are coroutines: FastAPI runs a plain function dependency in its thread pool, per request.


async def app_container(request: Request) -> Container:
    return container(request)


async def customer_use_cases(request: Request) -> CustomerUseCases:
    return container(request).customers
