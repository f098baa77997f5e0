"""PII columns holding plain values: the database compares, indexes and searches them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_

from ...application.dto import Page, PageRequest
from ...domain.customer import Customer, CustomerStatus
from ...domain.values import CustomerId, Email, PersonName, PhoneNumber
from .customer_rows import LiveRows, copy_lifecycle
from .tables import CustomerRow

LIKE_ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """A substring pattern in which the user's %, _ and \\ match themselves."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


class PlainCustomerRows:
    """The CustomerRowMapper for plain columns."""

    async def write(self, row: CustomerRow, customer: Customer, *, tenant: str | None) -> None:
        row.email = customer.email.value
        row.first_name = customer.first_name.value
        row.last_name = customer.last_name.value
        row.phone = customer.phone.value if customer.phone else None
        copy_lifecycle(row, customer)

    async def read(self, rows: Sequence[CustomerRow], *, tenant: str | None) -> list[Customer]:
        return [_to_entity(row) for row in rows]

    def email_is(self, email: Email, *, tenant: str | None) -> ColumnElement[bool]:
        return func.lower(CustomerRow.email) == email.value

    async def search(self, text: str, page: PageRequest, rows: LiveRows, *, tenant: str | None) -> Page[Customer]:
        pattern = like_pattern(text)
        # ILIKE on PostgreSQL; SQLAlchemy renders lower() LIKE lower() on SQLite.
        matches: list[ColumnElement[bool]] = [
            column.ilike(pattern, escape=LIKE_ESCAPE)
            for column in (CustomerRow.first_name, CustomerRow.last_name, CustomerRow.email)
        ]
        return await rows.page(rows.query().where(or_(*matches)), page)


def _to_entity(row: CustomerRow) -> Customer:
    return Customer(
        id=CustomerId(row.id),
        email=Email(row.email),
        first_name=PersonName(row.first_name),
        last_name=PersonName(row.last_name),
        phone=PhoneNumber(row.phone) if row.phone else None,
        status=CustomerStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
    )
