"""One structured JSON access-log line per request, without the query string.

Server access logs (gunicorn's, uvicorn's) print the full request line, so a
search such as `?q=<a name or e-mail>` would put personal data in the logs, and
they know nothing of the request id. This middleware logs what operations
need and nothing a client typed beyond the path: method, path, status,
duration and request id (the client IP is already in the request context and
the audit log). The servers' own access logs are switched off by
`silence_server_access_logs()` and in every entrypoint's configuration.
"""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...application.request_context import current_request

# "<package>.access", so it follows the service's logging configuration.
ACCESS_LOGGER = f"{__name__.split('.', 1)[0]}.access"
MAX_PATH_LENGTH = 256
SERVER_ACCESS_LOGGERS = ("uvicorn.access", "gunicorn.access")
# Registered at import, so entrypoints can configure it before the first request.
access_logger = logging.getLogger(ACCESS_LOGGER)


def silence_server_access_logs() -> None:
    """Drop the servers' request-line access logs; this middleware replaces them."""
    for name in SERVER_ACCESS_LOGGERS:
        logging.getLogger(name).disabled = True


def _safe_path(path: str) -> str:
    # JSON escapes control characters anyway; this keeps the field short and printable.
    return "".join(char for char in path[:MAX_PATH_LENGTH] if char.isprintable())


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, *, logger: logging.Logger = access_logger) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when nothing was sent before an error

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            line = {
                "type": "access",
                "method": str(scope.get("method", ""))[:16],
                "path": _safe_path(str(scope.get("path", ""))),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": current_request().request_id,
            }
            self.logger.info(json.dumps(line, separators=(",", ":")))
