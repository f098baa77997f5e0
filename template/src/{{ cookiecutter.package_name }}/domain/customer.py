"""The Customer entity: the personal data this service keeps and protects."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from .errors import DomainError
from .masking import mask_email, mask_text
from .values import CustomerId, Email, PersonName, PhoneNumber


class CustomerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class CustomerDeletedError(DomainError):
    """A deleted customer can no longer be changed."""


@dataclass(slots=True)
class Customer:
    id: CustomerId
    # Personal data stays out of repr(), so logging an entity cannot leak it; see log_view().
    email: Email = field(repr=False)
    first_name: PersonName = field(repr=False)
    last_name: PersonName = field(repr=False)
    phone: PhoneNumber | None = field(repr=False)
    status: CustomerStatus
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = field(default=None)

    @classmethod
    def register(
        cls,
        *,
        email: Email,
        first_name: PersonName,
        last_name: PersonName,
        phone: PhoneNumber | None,
        now: datetime,
    ) -> Customer:
        return cls(
            id=CustomerId.new(),
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            status=CustomerStatus.ACTIVE,
            created_at=now,
            updated_at=now,
        )

    def log_view(self) -> dict[str, str | None]:
        """What may appear in a log line or an audit event: ids, state and masked PII."""
        return {
            "id": str(self.id),
            "status": self.status.value,
            "email": mask_email(self.email.value),
            "first_name": mask_text(self.first_name.value),
            "last_name": mask_text(self.last_name.value),
            "phone": "***" if self.phone else None,
            "deleted": str(self.is_deleted).lower(),
        }

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def change(
        self,
        *,
        now: datetime,
        email: Email | None = None,
        first_name: PersonName | None = None,
        last_name: PersonName | None = None,
        phone: PhoneNumber | None = None,
        clear_phone: bool = False,
        status: CustomerStatus | None = None,
    ) -> None:
        self._ensure_not_deleted()
        self.email = email or self.email
        self.first_name = first_name or self.first_name
        self.last_name = last_name or self.last_name
        self.phone = None if clear_phone else (phone or self.phone)
        self.status = status or self.status
        self.updated_at = now

    def delete(self, now: datetime) -> None:
        """Soft delete: the row stays for audit and legal holds, hidden from reads."""
        self._ensure_not_deleted()
        self.deleted_at = now
        self.updated_at = now

    def _ensure_not_deleted(self) -> None:
        if self.is_deleted:
            raise CustomerDeletedError(str(self.id))
