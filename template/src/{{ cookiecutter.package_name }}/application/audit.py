"""Audit events and security metrics, as ports the use cases and the web layer report to."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Who did what to which resource, and how it ended; never the personal data itself.

    Request id and source IP are added by the adapter from the request context.
    """

    action: str
    outcome: Outcome
    actor: str | None
    resource: str | None = None
    reason: str | None = None


class AuditLog(Protocol):
    def record(self, event: AuditEvent) -> None: ...


class SecurityMetrics(Protocol):
    def authentication(self, *, succeeded: bool, reason: str) -> None: ...

    def permission_denied(self, permission: str) -> None: ...

    def rate_limited(self, scope: str) -> None: ...

    def key_rotation(self, kind: str, records: int) -> None: ...

    def flush(self) -> None:
        """Write anything batched in memory (called at shutdown and after each Lambda invocation)."""
