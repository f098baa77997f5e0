"""The AuthObserver that audits failed authentications and counts every outcome."""

from __future__ import annotations

from fastapi import Request

from ..application.audit import AuditEvent, AuditLog, Outcome, SecurityMetrics
from ..application.errors import AuthFailureReason
from ..application.security import Principal


class AuditedAuthentication:
    """Failures carry the verifier's enumerated reason (expired, bad_signature,
    unknown_kid, keys_unavailable, ...); successes are only counted, in memory.
    """

    __slots__ = ("audit", "metrics")

    def __init__(self, audit: AuditLog, metrics: SecurityMetrics) -> None:
        self.audit = audit
        self.metrics = metrics

    async def authenticated(self, request: Request, principal: Principal) -> None:
        self.metrics.authentication(succeeded=True, reason="valid_token")

    def rejected(self, request: Request, reason: AuthFailureReason) -> None:
        self.metrics.authentication(succeeded=False, reason=reason.value)
        self.audit.record(AuditEvent("authenticate", Outcome.FAILURE, None, request.url.path, reason.value))
