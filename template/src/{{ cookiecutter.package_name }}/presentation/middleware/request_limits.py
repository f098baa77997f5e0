"""Body size cap (413), JSON-only bodies (415), UTF-8 only (400/415) and a JSON nesting limit (400).

The cap counts the bytes actually received, so a chunked body without a
Content-Length is cut off as soon as it passes the limit; a declared
Content-Length above the cap is refused before anything is read. The body is
then replayed to the app, which therefore never holds more than the cap.

Every check here runs before authentication, so each is linear in the body
size whatever the body holds (scripts/bench_body_scan.py measures them).
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN_ARRAY, _OPEN_OBJECT, _CLOSE_ARRAY, _CLOSE_OBJECT = b"[{]}"
_UTF8_BOM = b"\xef\xbb\xbf"


def json_depth_exceeds(body: bytes, max_depth: int) -> bool:
    """True when arrays/objects nest deeper than `max_depth`: one pass, no parsing, no regex.

    The state is explicit: inside or outside a string, and whether the previous
    byte was an escaping backslash. Brackets inside strings nest nothing. The
    body must be UTF-8 (check `encoding_problem` first): there every byte of a
    multi-byte character is >= 0x80, so a quote, backslash or bracket byte is
    always that character, and the parser sees the same structure as this scan.
    Malformed JSON is left to the parser, which stops at the first error, before
    any nesting this scan did not count.
    """
    # No more openers than the limit anywhere: nothing to scan (most bodies).
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte == _OPEN_ARRAY or byte == _OPEN_OBJECT:  # noqa: PLR1714, SIM109 - faster than `in`, measured
            depth += 1
            if depth > max_depth:
                return True
        elif byte == _CLOSE_ARRAY or byte == _CLOSE_OBJECT:  # noqa: PLR1714, SIM109
            depth -= 1
    return False


def encoding_problem(body: bytes) -> bool:
    """True unless the body is UTF-8 without a byte order mark (RFC 8259 §8.1).

    A UTF-16 or UTF-32 body either starts with its byte order mark (never valid
    UTF-8) or, without one, holds NUL bytes (JSON text never does: control
    characters must be escaped). Either is refused here, so the parser cannot
    decode a body differently from the scan. A UTF-8 byte order mark is refused
    too (RFC 8259 allows ignoring or refusing it; Python's parser would ignore it).
    """
    if body.startswith(_UTF8_BOM) or b"\x00" in body:
        return True
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _json_media_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def _charset_problem(content_type: str) -> bool:
    """True when the Content-Type names a charset other than UTF-8 (JSON is UTF-8 only, RFC 8259 §8.1)."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return True
    return False


def _form_media_type(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded"


JSON = "application/json"
type Problem = tuple[int, str, str]
BAD_LENGTH: Problem = (400, "bad_request", "invalid Content-Length")
TOO_LARGE: Problem = (413, "payload_too_large", "request body too large")
UNSUPPORTED: Problem = (415, "unsupported_media_type", "content type must be application/json")
NOT_UTF8_CHARSET: Problem = (415, "unsupported_media_type", "JSON must be UTF-8: charset=utf-8 or none")
NOT_UTF8: Problem = (400, "bad_request", "request body must be UTF-8 JSON without a byte order mark")
TOO_DEEP: Problem = (400, "bad_request", "JSON nested too deeply")


async def _reject(send: Send, status: int, code: str, message: str) -> None:
    # Same shape as every other error body: {"code", "message"}.
    body = b'{"code":"' + code.encode() + b'","message":"' + message.encode() + b'"}'
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestLimitsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_json_depth: int,
        body_methods: Iterable[str] = ("POST", "PUT", "PATCH"),
        form_paths: Iterable[str] = ("/oauth/token", "/oauth/revoke"),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self.body_methods = frozenset(body_methods)
        # OAuth endpoints take application/x-www-form-urlencoded bodies (RFC 6749 §4.4.2, RFC 7009 §2.1).
        self.form_paths = frozenset(form_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared_length, content_type, chunked = _body_headers(scope)
        has_body = chunked or bool(declared_length)
        if not has_body and scope["method"] not in self.body_methods:
            await self.app(scope, receive, send)
            return
        form = scope["path"] in self.form_paths and _form_media_type(content_type)
        problem = _header_problem(declared_length, JSON if form else content_type, has_body, self.max_body_bytes)
        body = b""
        if problem is None:
            received = await self._read_body(receive)
            if received is None:  # over the cap, or the client went away
                problem = TOO_LARGE
            else:
                body = received
                problem = None if form else self._body_problem(body, content_type)
        if problem is not None:
            await _reject(send, *problem)
            return
        await self.app(scope, _replay(body, receive), send)

    def _body_problem(self, body: bytes, content_type: str) -> Problem | None:
        if not body:
            return None
        if not _json_media_type(content_type):
            return UNSUPPORTED
        if _charset_problem(content_type):  # also here: a Lambda event may carry no Content-Length
            return NOT_UTF8_CHARSET
        if encoding_problem(body):
            return NOT_UTF8
        if json_depth_exceeds(body, self.max_json_depth):
            return TOO_DEEP
        return None

    async def _read_body(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        received = 0
        more_body = True
        while more_body:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk: bytes = message.get("body", b"")
            received += len(chunk)
            if received > self.max_body_bytes:
                return None
            chunks.append(chunk)
            more_body = message.get("more_body", False)
        return b"".join(chunks)


def _header_problem(declared_length: int | None, content_type: str, has_body: bool, cap: int) -> Problem | None:
    if declared_length == -1:
        return BAD_LENGTH
    if declared_length is not None and declared_length > cap:
        return TOO_LARGE
    if has_body and not _json_media_type(content_type):
        return UNSUPPORTED
    if has_body and _charset_problem(content_type):
        return NOT_UTF8_CHARSET
    return None


def _body_headers(scope: Scope) -> tuple[int | None, str, bool]:
    """(declared length, -1 when malformed; content type; chunked)."""
    declared_length: int | None = None
    content_type = ""
    chunked = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            declared_length = int(value) if value.isdigit() else -1
        elif name == b"content-type":
            content_type = value.decode("latin-1")
        elif name == b"transfer-encoding":
            chunked = True
    return declared_length, content_type, chunked


def _replay(body: bytes, receive: Receive) -> Receive:
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
