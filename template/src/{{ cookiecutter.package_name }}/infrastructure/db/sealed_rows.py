"""PII columns holding sealed values (infrastructure/crypto), so the database cannot compare or LIKE them:

- e-mail lookups (and uniqueness) use the keyed blind index;
- search for a full e-mail address is an exact blind-index match;
- any other search text is matched, case-insensitively as a substring of first
  name, last name or e-mail, against the decrypted `pii_search_scan_limit` most
  recently created customers only. Older customers are found by exact e-mail.
  This bounds the decryption work per request; see docs/security.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement

from ...application.dto import Page, PageRequest
from ...domain.customer import Customer, CustomerStatus
from ...domain.errors import InvalidValueError
from ...domain.values import CustomerId, Email, PersonName, PhoneNumber
from ..crypto.customer_pii import CustomerPii, CustomerPiiCodec, SealedCustomerPii
from .customer_rows import LiveRows, copy_lifecycle
from .tables import CustomerRow


class SealedCustomerRows:
    """The CustomerRowMapper that seals PII on write and opens it, bound to the caller's tenant, on read."""

    def __init__(self, codec: CustomerPiiCodec) -> None:
        self.codec = codec

    async def write(self, row: CustomerRow, customer: Customer, *, tenant: str | None) -> None:
        # Sealed under the active key on every write: a save also migrates old key versions.
        sealed = await self.codec.seal_async(
            str(customer.id),
            CustomerPii(
                email=customer.email.value,
                first_name=customer.first_name.value,
                last_name=customer.last_name.value,
                phone=customer.phone.value if customer.phone else None,
            ),
            tenant=tenant,
        )
        store_sealed(row, sealed)
        copy_lifecycle(row, customer)

    async def read(self, rows: Sequence[CustomerRow], *, tenant: str | None) -> list[Customer]:
        # One batch: each data key of the page is unwrapped once, off the event loop. The rows
        # are opened as the caller's tenant, so a row moved in from another tenant fails here.
        opened = await self.codec.open_many([(str(row.id), sealed_of(row)) for row in rows], tenant=tenant)
        return [_to_entity(row, pii) for row, pii in zip(rows, opened, strict=True)]

    def email_is(self, email: Email, *, tenant: str | None) -> ColumnElement[bool]:
        return CustomerRow.email_index.in_(self.codec.email_index_candidates(email.value, tenant=tenant))

    async def search(self, text: str, page: PageRequest, rows: LiveRows, *, tenant: str | None) -> Page[Customer]:
        try:
            exact = Email(text)
        except InvalidValueError:
            return await self._scan(text, page, rows)
        return await rows.page(rows.query().where(self.email_is(exact, tenant=tenant)), page)

    async def _scan(self, text: str, page: PageRequest, rows: LiveRows) -> Page[Customer]:
        needle = text.casefold()
        recent = await rows.fetch(
            rows.query()
            .order_by(CustomerRow.created_at.desc(), CustomerRow.id.desc())
            .limit(self.codec.search_scan_limit)
        )
        matches = [
            customer
            for customer in recent
            if any(needle in str(part).casefold() for part in (customer.first_name, customer.last_name, customer.email))
        ]
        matches.reverse()  # creation order, like list()
        window = matches[page.offset : page.offset + page.limit]
        return Page(items=window, total=len(matches), limit=page.limit, offset=page.offset)


def sealed_of(row: CustomerRow) -> SealedCustomerPii:
    return SealedCustomerPii(
        email=row.email,
        email_index=row.email_index,
        first_name=row.first_name,
        last_name=row.last_name,
        phone=row.phone,
        key_version=row.pii_key_version,
    )


def store_sealed(row: CustomerRow, sealed: SealedCustomerPii) -> None:
    row.email = sealed.email
    row.email_index = sealed.email_index
    row.first_name = sealed.first_name
    row.last_name = sealed.last_name
    row.phone = sealed.phone
    row.pii_key_version = sealed.key_version


def _to_entity(row: CustomerRow, pii: CustomerPii) -> Customer:
    return Customer(
        id=CustomerId(row.id),
        email=Email(pii.email),
        first_name=PersonName(pii.first_name),
        last_name=PersonName(pii.last_name),
        phone=PhoneNumber(pii.phone) if pii.phone else None,
        status=CustomerStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
    )
