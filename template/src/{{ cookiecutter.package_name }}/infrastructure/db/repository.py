"""CustomerRepository on SQLAlchemy; every query is built with the ORM and bound parameters.

What the PII columns hold, and so how e-mail lookups and search work, is the
CustomerRowMapper's (customer_rows.py); this class owns tenancy, soft deletion
and paging.
"""

from __future__ import annotations

import builtins

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...application.dto import Page, PageRequest
from ...domain.customer import Customer
from ...domain.values import CustomerId, Email
from .customer_rows import CustomerRowMapper
from .tables import CustomerRow


class SqlCustomerRepository:
    """Sees only `tenant`'s rows, and never soft-deleted ones.

    A caller without a tenant (single-tenant deployments, or a token lacking the
    optional tenant claim) sees only rows stored without one, never every tenant's.
    """

    def __init__(self, session: AsyncSession, tenant: str | None, rows: CustomerRowMapper) -> None:
        self._session = session
        self._tenant = tenant
        self._rows = rows

    async def add(self, customer: Customer) -> None:
        row = CustomerRow(id=customer.id.value, tenant=self._tenant)
        await self._rows.write(row, customer, tenant=self._tenant)
        self._session.add(row)
        await self._session.flush()

    async def get(self, customer_id: CustomerId) -> Customer | None:
        return await self._one(self.query().where(CustomerRow.id == customer_id.value))

    async def get_by_email(self, email: Email) -> Customer | None:
        return await self._one(self.query().where(self._rows.email_is(email, tenant=self._tenant)))

    async def list(self, page: PageRequest) -> Page[Customer]:
        return await self.page(self.query(), page)

    async def search(self, text: str, page: PageRequest) -> Page[Customer]:
        return await self._rows.search(text, page, self, tenant=self._tenant)

    async def save(self, customer: Customer) -> None:
        row = await self._session.get(CustomerRow, customer.id.value)
        if row is None or row.tenant != self._tenant:
            raise LookupError(f"customer {customer.id} is not stored")
        await self._rows.write(row, customer, tenant=self._tenant)
        await self._session.flush()

    # LiveRows (customer_rows.py): what a mapper's search builds on.

    def query(self) -> Select[CustomerRow]:
        tenant = CustomerRow.tenant.is_(None) if self._tenant is None else CustomerRow.tenant == self._tenant
        return select(CustomerRow).where(CustomerRow.deleted_at.is_(None), tenant)

    async def page(self, query: Select[CustomerRow], page: PageRequest) -> Page[Customer]:
        total = await self._session.scalar(select(func.count()).select_from(query.subquery()))
        items = await self.fetch(
            query.order_by(CustomerRow.created_at, CustomerRow.id).limit(page.limit).offset(page.offset)
        )
        return Page(items=items, total=total or 0, limit=page.limit, offset=page.offset)

    async def fetch(self, query: Select[CustomerRow]) -> builtins.list[Customer]:  # `list` is a method here
        rows = (await self._session.scalars(query)).all()
        return await self._rows.read(rows, tenant=self._tenant)

    async def _one(self, query: Select[CustomerRow]) -> Customer | None:
        row = await self._session.scalar(query)
        return (await self._rows.read([row], tenant=self._tenant))[0] if row is not None else None
