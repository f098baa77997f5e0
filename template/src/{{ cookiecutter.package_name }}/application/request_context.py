"""Who sent the current request and under which id, for logs and audit events.

The presentation layer sets it once per request; any layer may read it. It lives
in a context variable, so concurrent requests on one event loop never mix.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str
    client_ip: str


NO_REQUEST = RequestContext(request_id="-", client_ip="-")

_current: ContextVar[RequestContext] = ContextVar("request_context", default=NO_REQUEST)


def current_request() -> RequestContext:
    return _current.get()


def bind_request(context: RequestContext) -> Token[RequestContext]:
    """Make `context` current; pass the returned token to `reset_request`."""
    return _current.set(context)


def reset_request(token: Token[RequestContext]) -> None:
    _current.reset(token)


def install_request_id_logging() -> None:
    """Add `request_id` to every log record, whichever logger or handler writes it.

    A record factory (rather than a filter on some loggers) also covers
    third-party loggers; JSON formatters such as Powertools' print the field.
    Idempotent.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_adds_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = current_request().request_id
        return record

    factory._adds_request_id = True  # type: ignore[attr-defined]  # marker for idempotence
    logging.setLogRecordFactory(factory)
