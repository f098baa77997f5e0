"""Security headers on every HTTP response, and a last-resort 500 that leaks nothing.

Starlette sends the response for an unhandled exception from its outermost
ServerErrorMiddleware, which ordinary middleware never sees. This middleware
therefore catches what escapes the app itself, logs it with the request id
and answers a generic 500 with the same headers as every other response.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...application.request_context import current_request

logger = logging.getLogger(__name__)

API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The interactive docs load their own script and style; they still may not be framed.
DOCS_CSP = b"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
ERROR_BODY = b'{"code":"internal_error","message":"internal error"}'


def security_headers(hsts_max_age: int) -> list[tuple[bytes, bytes]]:
    return [
        (b"cache-control", b"no-store"),
        (b"pragma", b"no-cache"),
        (b"strict-transport-security", f"max-age={hsts_max_age}; includeSubDomains".encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
    ]


class SecurityHeadersMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        hsts_max_age: int = 63_072_000,
        docs_paths: Sequence[str] = ("/docs", "/redoc"),
    ) -> None:
        self.app = app
        self.headers = security_headers(hsts_max_age)
        self.names = {name for name, _ in self.headers} | {b"content-security-policy"}
        self.docs_paths = tuple(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(self.docs_paths) else API_CSP
        added = [*self.headers, (b"content-security-policy", csp)]
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                # Ours replace any the app set: a route cannot weaken them by accident.
                kept = [h for h in message.get("headers", ()) if h[0].lower() not in self.names]
                message["headers"] = kept + added
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # The traceback goes to the log (with the request id), never into the response.
            logger.exception("unhandled error (request %s)", current_request().request_id)
            if started:
                raise
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(ERROR_BODY)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": ERROR_BODY})
