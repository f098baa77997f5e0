"""Adversarial request bodies at the body cap, for the request-limit tests and scripts/bench_body_scan.py.

Each shape says what the service must answer without a token (the checks run
before authentication) and with a valid one. Bodies the pre-parse checks let
through (shallow, UTF-8) reach authentication: 401 without a token, and the
parser (422) with one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

JSON = "application/json"
MAX_DEPTH = 16  # Settings.max_json_depth
VALID = {"email": "grace.hopper@example.com", "first_name": "Grace", "last_name": "Hopper"}


@dataclass(frozen=True, slots=True)
class Shape:
    name: str
    body: bytes
    anonymous: int  # status without a token
    authenticated: int  # status with a valid admin token
    content_type: str = JSON


def fill(unit: bytes, size: int, prefix: bytes = b"", suffix: bytes = b"") -> bytes:
    """prefix + unit repeated + suffix, as close to `size` bytes as whole units allow."""
    return prefix + unit * ((size - len(prefix) - len(suffix)) // len(unit)) + suffix


def nested(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


def padded(document: str, size: int, encoding: str = "utf-8") -> bytes:
    """`document` followed by spaces up to `size` bytes in `encoding` (whitespace is valid JSON)."""
    encoded = document.encode(encoding)
    space = "  ".encode(encoding)[len(" ".encode(encoding)) :]  # one space, without the byte order mark
    return encoded + space * ((size - len(encoded)) // len(space))


def utf16_hiding_depth(depth: int, size: int) -> bytes:
    """UTF-16-LE (no byte order mark) whose code units U+2200 put bytes 0x22 around the nesting.

    A byte-wise scan that trusts those bytes as quotes sees a depth of 1; a parser
    that detects UTF-16 (Python's json.loads does) sees depth + 1.
    """
    document = '["\u2200",' + nested(depth) + ',"\u2200"]'
    return padded(document, size, "utf-16-le")


def shapes(cap: int) -> list[Shape]:
    """Every shape at (or, for the over-cap case, just above) `cap` bytes."""
    customer = json.dumps(VALID)
    valid_at_cap = padded(customer, cap)
    return [
        # Unclosed escaped quotes: quadratic for a backtracking string regex (21 s over HTTP before).
        Shape("escaped-quotes", fill(b'\\"', cap), 401, 422),
        Shape("string-of-escaped-quotes", fill(b'\\"', cap, prefix=b'["'), 401, 422),
        Shape("backslashes", fill(b"\\", cap), 401, 422),
        Shape("string-of-backslashes", fill(b"\\", cap, prefix=b'["'), 401, 422),
        Shape("quotes", fill(b'"', cap), 401, 422),
        Shape("empty-strings", fill(b'"",', cap, prefix=b"[", suffix=b'""]'), 401, 422),
        Shape("bracket-pairs", fill(b"[]", cap), 401, 422),
        # Nesting, in arrays, objects and both.
        Shape("deep-arrays", fill(b"[", cap), 400, 400),
        Shape("deep-objects", fill(b'{"a":', cap), 400, 400),
        Shape("deep-mixed", fill(b'[{"a":', cap), 400, 400),
        Shape("deep-after-escapes", fill(b"\\\\", cap - 40, prefix=b'["', suffix=b'",' + b"[" * 17), 400, 400),
        Shape("escaped-quote-then-brackets", fill(b"[", cap, prefix=b'["\\"'), 401, 422),
        Shape("escaped-backslash-then-brackets", fill(b"[", cap, prefix=b'["\\\\",'), 400, 400),
        Shape("brackets-inside-a-string", fill(b"[{", cap, prefix=b'{"a":"', suffix=b'"}'), 401, 422),
        Shape("at-the-depth-limit", padded(nested(MAX_DEPTH), cap), 401, 422),
        Shape("one-over-the-depth-limit", padded(nested(MAX_DEPTH + 1), cap), 400, 400),
        # Bodies that are not UTF-8: refused before any scan.
        Shape("utf16-hiding-200-levels", utf16_hiding_depth(200, cap), 400, 400),
        Shape("utf16-with-bom", padded(customer, cap, "utf-16"), 400, 400),
        Shape("utf32-with-bom", padded(customer, cap, "utf-32"), 400, 400),
        Shape("utf8-bom", b"\xef\xbb\xbf" + padded(customer, cap - 3), 400, 400),
        Shape("invalid-utf8", fill(b"\xff", cap, prefix=b'{"first_name":"', suffix=b'"}'), 400, 400),
        Shape("utf8-encoded-surrogate", fill(b"\xed\xa0\x80", cap, prefix=b'{"first_name":"', suffix=b'"}'), 400, 400),
        Shape("nul-bytes", fill(b"\x00", cap, prefix=b"[", suffix=b"]"), 400, 400),
        Shape("charset-utf-16", valid_at_cap, 415, 415, content_type=f"{JSON}; charset=utf-16"),
        Shape("charset-latin-1", valid_at_cap, 415, 415, content_type=f"{JSON}; charset=ISO-8859-1"),
        # What must still pass.
        Shape("valid-at-the-cap", valid_at_cap, 401, 201),
        Shape("valid-charset-utf-8", valid_at_cap, 401, 201, content_type=f'{JSON}; charset="UTF-8"'),
        Shape("one-byte-over-the-cap", valid_at_cap + b" ", 413, 413),
    ]
