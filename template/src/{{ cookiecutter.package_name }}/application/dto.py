"""Plain data crossing the application boundary in both directions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.customer import Customer, CustomerStatus

MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True, slots=True)
class CreateCustomer:
    email: str
    first_name: str
    last_name: str
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateCustomer:
    """Only the fields that are set change; `clear_phone` removes the phone number."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    clear_phone: bool = False
    status: CustomerStatus | None = None


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = 20
    offset: int = 0

    def __post_init__(self) -> None:
        # Bounds protect the database from unbounded scans whatever the caller sends.
        object.__setattr__(self, "limit", max(1, min(self.limit, MAX_PAGE_SIZE)))
        object.__setattr__(self, "offset", max(0, min(self.offset, MAX_OFFSET)))


@dataclass(frozen=True, slots=True)
class Page[T]:
    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class CustomerView:
    id: str
    email: str
    first_name: str
    last_name: str
    phone: str | None
    status: CustomerStatus
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, customer: Customer) -> CustomerView:
        return cls(
            id=str(customer.id),
            email=str(customer.email),
            first_name=str(customer.first_name),
            last_name=str(customer.last_name),
            phone=str(customer.phone) if customer.phone else None,
            status=customer.status,
            created_at=customer.created_at,
            updated_at=customer.updated_at,
        )
