"""Customer use cases that also write audit events for changes and permission denials."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .audit import AuditEvent, AuditLog, Outcome, SecurityMetrics
from .customers import CustomerUseCases
from .dto import CreateCustomer, CustomerView, Page, PageRequest, UpdateCustomer
from .errors import ApplicationError, PermissionDeniedError
from .ports import Clock, UnitOfWorkFactory
from .security import Principal


class AuditedCustomerUseCases(CustomerUseCases):
    def __init__(
        self, unit_of_work: UnitOfWorkFactory, clock: Clock, *, audit: AuditLog, metrics: SecurityMetrics
    ) -> None:
        super().__init__(unit_of_work, clock)
        self._audit = audit
        self._metrics = metrics

    @contextmanager
    def _audited(
        self, principal: Principal, action: str, resource: str | None, *, changes: bool = True
    ) -> Iterator[None]:
        """Audits a denial of `action`, and any other failure of a change; the error propagates unchanged."""
        try:
            yield
        except PermissionDeniedError as error:
            self._metrics.permission_denied(error.permission)
            self._record(principal, action, Outcome.DENIED, resource, f"missing {error.permission}")
            raise
        except ApplicationError as error:
            if changes:
                # The error class names the reason; its message may not be safe to log.
                self._record(principal, action, Outcome.FAILURE, resource, type(error).__name__)
            raise

    def _record(
        self, principal: Principal, action: str, outcome: Outcome, resource: str | None, reason: str | None = None
    ) -> None:
        self._audit.record(AuditEvent(action, outcome, principal.subject, resource, reason))

    async def create(self, principal: Principal, command: CreateCustomer) -> CustomerView:
        with self._audited(principal, "customer.create", None):
            view = await super().create(principal, command)
        self._record(principal, "customer.create", Outcome.SUCCESS, f"customer/{view.id}")
        return view

    async def update(self, principal: Principal, customer_id: str, command: UpdateCustomer) -> CustomerView:
        resource = _resource(customer_id)
        with self._audited(principal, "customer.update", resource):
            view = await super().update(principal, customer_id, command)
        changed = ",".join(
            name
            for name in ("email", "first_name", "last_name", "phone", "status")
            if getattr(command, name) is not None or (name == "phone" and command.clear_phone)
        )
        self._record(principal, "customer.update", Outcome.SUCCESS, resource, changed or None)
        return view

    async def delete(self, principal: Principal, customer_id: str) -> None:
        resource = _resource(customer_id)
        with self._audited(principal, "customer.delete", resource):
            await super().delete(principal, customer_id)
        self._record(principal, "customer.delete", Outcome.SUCCESS, resource)

    # Reads audit denials only: a successful or not-found read is not an audit event.

    async def get(self, principal: Principal, customer_id: str) -> CustomerView:
        with self._audited(principal, "customer.read", _resource(customer_id), changes=False):
            return await super().get(principal, customer_id)

    async def list(self, principal: Principal, page: PageRequest) -> Page[CustomerView]:
        with self._audited(principal, "customer.list", None, changes=False):
            return await super().list(principal, page)

    async def search(self, principal: Principal, text: str, page: PageRequest) -> Page[CustomerView]:
        with self._audited(principal, "customer.search", None, changes=False):
            return await super().search(principal, text, page)


def _resource(customer_id: str) -> str:
    return f"customer/{customer_id[:64]}"
