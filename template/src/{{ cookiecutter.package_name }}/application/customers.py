"""Customer use cases; each one checks the caller's permission first."""

from __future__ import annotations

from ..domain.customer import Customer
from ..domain.errors import InvalidValueError
from ..domain.values import CustomerId, Email, PersonName, PhoneNumber
from .dto import MAX_SEARCH_LENGTH, CreateCustomer, CustomerView, Page, PageRequest, UpdateCustomer
from .errors import CustomerNotFoundError, EmailAlreadyRegisteredError
from .ports import Clock, CustomerRepository, UnitOfWorkFactory
from .security import Permission, Principal, require


class CustomerUseCases:
    def __init__(self, unit_of_work: UnitOfWorkFactory, clock: Clock) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock

    async def create(self, principal: Principal, command: CreateCustomer) -> CustomerView:
        require(principal, Permission.CUSTOMERS_WRITE)
        customer = Customer.register(
            email=Email(command.email),
            first_name=PersonName(command.first_name),
            last_name=PersonName(command.last_name),
            phone=PhoneNumber(command.phone) if command.phone else None,
            now=self._clock.now(),
        )
        async with self._unit_of_work(principal.tenant) as uow:
            await _ensure_email_free(uow.customers, customer.email)
            await uow.customers.add(customer)
            await uow.commit()
        return CustomerView.of(customer)

    async def get(self, principal: Principal, customer_id: str) -> CustomerView:
        require(principal, Permission.CUSTOMERS_READ)
        async with self._unit_of_work(principal.tenant, read_only=True) as uow:
            customer = await _load(uow.customers, customer_id)
        return CustomerView.of(customer)

    async def list(self, principal: Principal, page: PageRequest) -> Page[CustomerView]:
        require(principal, Permission.CUSTOMERS_READ)
        async with self._unit_of_work(principal.tenant, read_only=True) as uow:
            found = await uow.customers.list(page)
        return _views(found)

    async def search(self, principal: Principal, text: str, page: PageRequest) -> Page[CustomerView]:
        """Substring match on first name, last name or e-mail, case-insensitive."""
        require(principal, Permission.CUSTOMERS_READ)
        bounded = " ".join(text.split())[:MAX_SEARCH_LENGTH]
        if not bounded:
            return Page(items=[], total=0, limit=page.limit, offset=page.offset)
        async with self._unit_of_work(principal.tenant, read_only=True) as uow:
            found = await uow.customers.search(bounded, page)
        return _views(found)

    async def update(self, principal: Principal, customer_id: str, command: UpdateCustomer) -> CustomerView:
        require(principal, Permission.CUSTOMERS_WRITE)
        email = Email(command.email) if command.email is not None else None
        async with self._unit_of_work(principal.tenant) as uow:
            customer = await _load(uow.customers, customer_id)
            if email is not None and email != customer.email:
                await _ensure_email_free(uow.customers, email)
            customer.change(
                now=self._clock.now(),
                email=email,
                first_name=PersonName(command.first_name) if command.first_name is not None else None,
                last_name=PersonName(command.last_name) if command.last_name is not None else None,
                phone=PhoneNumber(command.phone) if command.phone else None,
                clear_phone=command.clear_phone,
                status=command.status,
            )
            await uow.customers.save(customer)
            await uow.commit()
        return CustomerView.of(customer)

    async def delete(self, principal: Principal, customer_id: str) -> None:
        require(principal, Permission.CUSTOMERS_DELETE)
        async with self._unit_of_work(principal.tenant) as uow:
            customer = await _load(uow.customers, customer_id)
            customer.delete(self._clock.now())
            await uow.customers.save(customer)
            await uow.commit()


async def _load(customers: CustomerRepository, raw_id: str) -> Customer:
    try:
        customer_id = CustomerId.parse(raw_id)
    except InvalidValueError:
        # An id that cannot exist is reported like any other unknown id.
        raise CustomerNotFoundError(raw_id) from None
    customer = await customers.get(customer_id)
    if customer is None:
        raise CustomerNotFoundError(raw_id)
    return customer


async def _ensure_email_free(customers: CustomerRepository, email: Email) -> None:
    # A fast, friendly check; the unique index still decides under concurrent writes.
    if await customers.get_by_email(email) is not None:
        raise EmailAlreadyRegisteredError


def _views(page: Page[Customer]) -> Page[CustomerView]:
    return Page(
        items=[CustomerView.of(customer) for customer in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )
