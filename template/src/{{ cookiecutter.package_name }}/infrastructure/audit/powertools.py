"""Powertools adapters for the audit and metrics ports.

Audit events are JSON lines from their own logger (`<service>.audit`) carrying
`log_type: AUDIT`, so the IaC can route them to a dedicated log group with a
subscription filter and keep them longer than application logs. Metrics are
written as CloudWatch embedded metric format (EMF) lines, one per event, which
CloudWatch Logs turns into metrics on both Lambda and Fargate without an agent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

from aws_lambda_powertools import Logger, single_metric
from aws_lambda_powertools.metrics import MetricUnit

from ...application.audit import AuditEvent
from ...application.request_context import current_request, install_request_id_logging
from ...domain.masking import mask_identifier

AUDIT_LOG_TYPE = "AUDIT"
MAX_FIELD_LENGTH = 128


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return "".join(char for char in value[:MAX_FIELD_LENGTH] if char.isprintable())


class PowertoolsAuditLog:
    def __init__(self, *, service: str, stream: IO[str] | None = None) -> None:
        install_request_id_logging()  # every record, audit lines included, carries `request_id`
        self.logger = Logger(service=f"{service}.audit", stream=stream, level="INFO", log_type=AUDIT_LOG_TYPE)
        # Audit lines must not also reach the application handlers (or be dropped by their level).
        logging.getLogger(f"{service}.audit").propagate = False

    def record(self, event: AuditEvent) -> None:
        context = current_request()
        self.logger.info(
            "audit",
            extra={
                "action": event.action,
                "outcome": event.outcome.value,
                "actor": mask_identifier(_clean(event.actor) or "anonymous"),
                "resource": _clean(event.resource),
                "reason": _clean(event.reason),
                "source_ip": context.client_ip,
                "event_time": datetime.now(UTC).isoformat(),
            },
        )


class EmfSecurityMetrics:
    """Failures, denials, rate limiting and rotations are written at once, one EMF line each.

    Successful authentications happen on nearly every request, so they are counted in
    memory and written as one line per reason every `flush_seconds` or `flush_every`
    events (a line costs about 50 us); `flush()` writes what is pending.
    """

    def __init__(
        self,
        *,
        namespace: str,
        service: str,
        flush_seconds: float = 60.0,
        flush_every: int = 1_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._namespace = namespace
        self._dimensions = {"service": service}
        self._flush_seconds = flush_seconds
        self._flush_every = flush_every
        self._clock = clock
        self._lock = threading.Lock()
        self._successes: Counter[str] = Counter()
        self._pending = 0  # the total of _successes, kept so counting stays O(1)
        self._last_flush = clock()

    def _count(self, name: str, dimension: tuple[str, str] | None = None, value: float = 1) -> None:
        with single_metric(
            name=name,
            unit=MetricUnit.Count,
            value=value,
            namespace=self._namespace,
            default_dimensions=self._dimensions,
        ) as metric:
            if dimension is not None:
                metric.add_dimension(name=dimension[0], value=dimension[1])

    def authentication(self, *, succeeded: bool, reason: str) -> None:
        if not succeeded:
            self._count("AuthenticationFailure", ("reason", reason))
            return
        with self._lock:
            self._successes[reason] += 1
            self._pending += 1
            due = self._pending >= self._flush_every or self._clock() - self._last_flush >= self._flush_seconds
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._successes = self._successes, Counter()
            self._pending = 0
            self._last_flush = self._clock()
        for reason, count in pending.items():
            self._count("AuthenticationSuccess", ("reason", reason), value=count)

    def permission_denied(self, permission: str) -> None:
        self._count("PermissionDenied", ("permission", permission))

    def rate_limited(self, scope: str) -> None:
        self._count("RateLimited", ("scope", scope))

    def key_rotation(self, kind: str, records: int) -> None:
        self._count("KeyRotation", ("kind", kind))
        self._count("ReencryptedRecords", ("kind", kind), value=records)
