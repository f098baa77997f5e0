"""Gives every request an id and a client address, and every log line the id.

An incoming X-Request-ID is kept only when it is a short token of safe
characters (so it cannot forge log lines); otherwise a new random 128-bit id
is used. The id is echoed on every response, including errors produced further in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...application.request_context import RequestContext, bind_request, reset_request
from .client_ip import Network, resolve_client_ip

REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, trusted_proxies: Sequence[Network] = ()) -> None:
        self.app = app
        self.trusted_proxies = tuple(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming_id = None
        forwarded_for: list[str] = []
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming_id = value.decode("latin-1")
            elif name == b"x-forwarded-for":
                forwarded_for.append(value.decode("latin-1"))
        request_id = incoming_id if incoming_id and _SAFE_REQUEST_ID.fullmatch(incoming_id) else os.urandom(16).hex()
        peer = scope.get("client")
        client_ip = resolve_client_ip(peer[0] if peer else None, forwarded_for, self.trusted_proxies)
        scope.setdefault("state", {})["client_ip"] = client_ip
        header = (REQUEST_ID_HEADER.encode(), request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", ()) if h[0].lower() != b"x-request-id"]
                message["headers"] = [*headers, header]
            await send(message)

        token = bind_request(RequestContext(request_id=request_id, client_ip=client_ip))
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            reset_request(token)
