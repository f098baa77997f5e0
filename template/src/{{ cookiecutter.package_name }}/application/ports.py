"""What the use cases need from the outside world, as structural protocols."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from ..domain.customer import Customer
from ..domain.values import CustomerId, Email
from .dto import Page, PageRequest
from .security import Principal


class CustomerRepository(Protocol):
    """Reads never return soft-deleted customers."""

    async def add(self, customer: Customer) -> None: ...

    async def get(self, customer_id: CustomerId) -> Customer | None: ...

    async def get_by_email(self, email: Email) -> Customer | None: ...

    async def list(self, page: PageRequest) -> Page[Customer]: ...

    async def search(self, text: str, page: PageRequest) -> Page[Customer]: ...

    async def save(self, customer: Customer) -> None: ...


class UnitOfWork(Protocol):
    """One transaction; leaving the block without `commit()` rolls it back."""

    @property
    def customers(self) -> CustomerRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens a unit of work whose repositories only see `tenant`'s data (all when None).

    A `read_only` one writes nothing and cannot commit; it needs no transaction of its own,
    so each of its reads sees the data committed when that read runs.
    """

    def __call__(self, tenant: str | None, *, read_only: bool = False) -> UnitOfWork: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class TokenVerifier(Protocol):
    """Turns a bearer token into a Principal or raises AuthenticationError."""

    async def verify(self, token: str) -> Principal: ...

    def cached(self, token: str) -> Principal | None:
        """The Principal of a token that already passed `verify` and is still cached; never verifies, never waits."""
        ...
