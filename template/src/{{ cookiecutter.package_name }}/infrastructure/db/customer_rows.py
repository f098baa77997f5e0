"""The seam between the repository and how a Customer is stored in a CustomerRow.

The repository (repository.py) owns tenancy, soft deletion, paging and the
transaction; a CustomerRowMapper owns the columns: plain values (plain_rows.py),
or sealed PII with a blind index (sealed_rows.py, with pii_encryption). E-mail
lookups and search depend on what the columns hold, so the mapper answers them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import ColumnElement, Select

from ...application.dto import Page, PageRequest
from ...domain.customer import Customer
from ...domain.values import Email
from .tables import CustomerRow


class LiveRows(Protocol):
    """The repository's view of one tenant's live (not soft-deleted) rows, for a mapper's search."""

    def query(self) -> Select[CustomerRow]: ...

    async def page(self, query: Select[CustomerRow], page: PageRequest) -> Page[Customer]:
        """One page of `query` in creation order, with the total count."""
        ...

    async def fetch(self, query: Select[CustomerRow]) -> list[Customer]: ...


class CustomerRowMapper(Protocol):
    async def write(self, row: CustomerRow, customer: Customer, *, tenant: str | None) -> None:
        """Copies every field of `customer` into `row`, the PII columns as this mapper stores them."""
        ...

    async def read(self, rows: Sequence[CustomerRow], *, tenant: str | None) -> list[Customer]: ...

    def email_is(self, email: Email, *, tenant: str | None) -> ColumnElement[bool]:
        """A filter matching the rows stored with this e-mail address, whatever its case."""
        ...

    async def search(self, text: str, page: PageRequest, rows: LiveRows, *, tenant: str | None) -> Page[Customer]:
        """Customers whose first name, last name or e-mail contains `text`, case-insensitively."""
        ...


def copy_lifecycle(row: CustomerRow, customer: Customer) -> None:
    """The columns every mapper stores as they are."""
    row.status = customer.status.value
    row.created_at = customer.created_at
    row.updated_at = customer.updated_at
    row.deleted_at = customer.deleted_at
