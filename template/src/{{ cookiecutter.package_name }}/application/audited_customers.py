"""Customer use cases that also write audit events for changes and permission denials."""

from __future__ import annotations

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

    def _denied(self, principal: Principal, action: str, error: PermissionDeniedError, resource: str | None) -> None:
        self._metrics.permission_denied(error.permission)
        self._audit.record(
            AuditEvent(action, Outcome.DENIED, principal.subject, resource, reason=f"missing {error.permission}")
        )

    def _failed(self, principal: Principal, action: str, error: Exception, resource: str | None) -> None:
        # The error class names the reason; its message may not be safe to log.
        self._audit.record(AuditEvent(action, Outcome.FAILURE, principal.subject, resource, type(error).__name__))

    async def create(self, principal: Principal, command: CreateCustomer) -> CustomerView:
        try:
            view = await super().create(principal, command)
        except PermissionDeniedError as error:
            self._denied(principal, "customer.create", error, None)
            raise
        except ApplicationError as error:
            self._failed(principal, "customer.create", error, None)
            raise
        self._audit.record(AuditEvent("customer.create", Outcome.SUCCESS, principal.subject, f"customer/{view.id}"))
        return view

    async def update(self, principal: Principal, customer_id: str, command: UpdateCustomer) -> CustomerView:
        resource = f"customer/{customer_id[:64]}"
        try:
            view = await super().update(principal, customer_id, command)
        except PermissionDeniedError as error:
            self._denied(principal, "customer.update", error, resource)
            raise
        except ApplicationError as error:
            self._failed(principal, "customer.update", error, resource)
            raise
        changed = ",".join(
            name
            for name in ("email", "first_name", "last_name", "phone", "status")
            if getattr(command, name) is not None or (name == "phone" and command.clear_phone)
        )
        self._audit.record(
            AuditEvent("customer.update", Outcome.SUCCESS, principal.subject, resource, reason=changed or None)
        )
        return view

    async def delete(self, principal: Principal, customer_id: str) -> None:
        resource = f"customer/{customer_id[:64]}"
        try:
            await super().delete(principal, customer_id)
        except PermissionDeniedError as error:
            self._denied(principal, "customer.delete", error, resource)
            raise
        except ApplicationError as error:
            self._failed(principal, "customer.delete", error, resource)
            raise
        self._audit.record(AuditEvent("customer.delete", Outcome.SUCCESS, principal.subject, resource))

    async def get(self, principal: Principal, customer_id: str) -> CustomerView:
        try:
            return await super().get(principal, customer_id)
        except PermissionDeniedError as error:
            self._denied(principal, "customer.read", error, f"customer/{customer_id[:64]}")
            raise

    async def list(self, principal: Principal, page: PageRequest) -> Page[CustomerView]:
        try:
            return await super().list(principal, page)
        except PermissionDeniedError as error:
            self._denied(principal, "customer.list", error, None)
            raise

    async def search(self, principal: Principal, text: str, page: PageRequest) -> Page[CustomerView]:
        try:
            return await super().search(principal, text, page)
        except PermissionDeniedError as error:
            self._denied(principal, "customer.search", error, None)
            raise
