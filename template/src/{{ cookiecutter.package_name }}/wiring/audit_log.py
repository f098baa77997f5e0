"""audit_log: audit events for changes, denials and failed authentications; security metrics for every outcome."""

from __future__ import annotations

from ..application.audit import AuditLog, SecurityMetrics
from ..application.audited_customers import AuditedCustomerUseCases
from ..application.customers import CustomerUseCases
from ..application.ports import Clock, UnitOfWorkFactory
from ..infrastructure.audit import EmfSecurityMetrics, PowertoolsAuditLog
from ..presentation.audit import AuditedAuthentication
from . import Builder


def wire(builder: Builder) -> None:
    settings = builder.settings
    audit: AuditLog = builder.replaced("audit", lambda: PowertoolsAuditLog(service=settings.service_name))
    metrics: SecurityMetrics = builder.replaced(
        "metrics", lambda: EmfSecurityMetrics(namespace=settings.metrics_namespace, service=settings.service_name)
    )

    def audited_use_cases(units: UnitOfWorkFactory, clock: Clock) -> CustomerUseCases:
        return AuditedCustomerUseCases(units, clock, audit=audit, metrics=metrics)

    builder.customer_use_cases = audited_use_cases
    builder.auth_observers.append(AuditedAuthentication(audit, metrics))
    builder.flush_hooks.append(metrics.flush)
    builder.rate_limited.listen(metrics.rate_limited)
    builder.key_rotated.listen(metrics.key_rotation)
