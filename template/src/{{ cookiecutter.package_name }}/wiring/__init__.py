"""The builder each option's wiring module adds its parts to; bootstrap.py lists the modules, one line each.

A wiring module (`wiring/<option>.py`, brought with its option) exports
`wire(builder)`: it sets or adds the parts its option brings (a row mapper, the
customer use cases, auth observers, guards, public routers, flush hooks) and may
listen to another option's events through the builder's hooks, so that no option
names another. The shared code it plugs into knows no option.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Protocol, cast

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware

from ..application.customers import CustomerUseCases
from ..application.ports import Clock, TokenVerifier, UnitOfWorkFactory
from ..infrastructure.auth import build_token_verifier
from ..infrastructure.clock import SystemClock
from ..infrastructure.db.customer_rows import CustomerRowMapper
from ..infrastructure.db.engine import create_engine
from ..infrastructure.db.unit_of_work import SqlUnitOfWorkFactory
from ..infrastructure.settings import Settings
from ..presentation.container import AuthObserver, Container


class Hook[**P]:
    """An event one option announces and others listen to (e.g. a 429 answered, a key rotated)."""

    def __init__(self) -> None:
        self._listeners: list[Callable[P, None]] = []

    def listen(self, listener: Callable[P, None]) -> None:
        self._listeners.append(listener)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for listener in self._listeners:
            listener(*args, **kwargs)


class Builder:
    """What the options contribute to the Container; `container()` assembles it once every option is wired."""

    def __init__(
        self, settings: Settings, *, token_verifier: TokenVerifier | None = None, replacements: dict[str, object]
    ) -> None:
        self.settings = settings
        self._token_verifier = token_verifier
        self._replacements = dict(replacements)
        self._build_steps: list[Callable[[], None]] = []
        self._container: Container | None = None
        # Set by exactly one wiring module (the sealed or the plain row mapper).
        self.customer_rows: Callable[[], CustomerRowMapper] | None = None
        self.customer_use_cases: Callable[[UnitOfWorkFactory, Clock], CustomerUseCases] = CustomerUseCases
        # Told in this order: first what the options add in wire(), in OPTIONS order, then what their
        # build steps (when_built) add, in OPTIONS order again.
        self.auth_observers: list[AuthObserver] = []
        self.guards: list[Middleware] = []
        self.rate_limited_operations = False
        self.public_routers: list[APIRouter] = []
        self.flush_hooks: list[Callable[[], None]] = []
        # Events: told the scope ("ip" or "principal") of every 429; told (kind, records) after a re-encryption.
        self.rate_limited: Hook[[str]] = Hook()
        self.key_rotated: Hook[[str, int]] = Hook()

    # The engine connects lazily and the verifier is built on first use: wiring every option
    # (as a CLI does, for the listeners of its events) does no I/O until the container is built.
    @cached_property
    def engine(self) -> AsyncEngine:
        return create_engine(self.settings)

    @cached_property
    def token_verifier(self) -> TokenVerifier:
        return self._token_verifier or build_token_verifier(self.settings, self.engine)

    def replaced[T](self, name: str, default: Callable[[], T]) -> T:
        """The part a test passed to build_container as `name=...`, else `default()`."""
        if name in self._replacements:
            return cast("T", self._replacements.pop(name))
        return default()

    def when_built(self, step: Callable[[], None]) -> None:
        """Runs `step` in `container()`, after every option is wired: for parts that read the others'
        (e.g. a guard that needs the public routers) or that cost I/O to make. What a step appends to a
        list comes after what every option appended in wire()."""
        self._build_steps.append(step)

    def rows(self) -> CustomerRowMapper:
        if self.customer_rows is None:
            raise RuntimeError("no wiring module set the customer row mapper")
        return self.customer_rows()

    def container(self) -> Container:
        """The Container, assembled on the first call (the build steps run once); later calls return it."""
        if self._container is None:
            self._container = self._assemble()
        return self._container

    def _assemble(self) -> Container:
        if self._replacements:  # a misspelt or stale name would leave the real part in place, silently
            raise TypeError("build_container got parts no option of this project has: " + ", ".join(self._replacements))
        for step in self._build_steps:
            step()
        units = SqlUnitOfWorkFactory(self.engine, self.rows())
        return Container(
            settings=self.settings,
            engine=self.engine,
            customers=self.customer_use_cases(units, SystemClock()),
            token_verifier=self.token_verifier,
            auth_observers=tuple(self.auth_observers),
            guards=tuple(self.guards),
            rate_limited=self.rate_limited_operations,
            public_routers=tuple(self.public_routers),
            flush_hooks=tuple(self.flush_hooks),
        )


class Option(Protocol):
    """A wiring module: `wire` adds what its option brings to the builder."""

    def wire(self, builder: Builder) -> None: ...
