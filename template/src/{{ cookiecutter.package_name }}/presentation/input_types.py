"""Building blocks for request models: bounded, validated strings (schemas.py uses them).

No keyword blacklists: SQL and HTML metacharacters are ordinary data here.
Queries are parameterized and responses are JSON, so rejecting `'` or `<`
would only turn away real names (O'Brien) without stopping any attack.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from ..domain.text import REFUSED_RANGES, has_refused_character

MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 100
MAX_SEARCH_LENGTH = 100


# What str.strip() removes, less the refused controls: a text must hold something else.
_SPACES = (
    (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F),
    (0x205F, 0x205F), (0x3000, 0x3000),
)  # fmt: skip


def _character_class(ranges: tuple[tuple[int, int], ...]) -> str:
    # \uXXXX, which Python, Rust (pydantic) and ECMAScript read alike; above U+FFFF the characters themselves.
    def char(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    return "".join(char(low) if low == high else f"{char(low)}-{char(high)}" for low, high in ranges)


_REFUSED_CLASS = _character_class(REFUSED_RANGES)
TEXT_PATTERN = f"^[^{_REFUSED_CLASS}]*[^{_character_class(_SPACES)}{_REFUSED_CLASS}][^{_REFUSED_CLASS}]*$"
"""Something besides spaces and none of domain.text's refused characters: the OpenAPI pattern is the rule."""


def _no_lone_surrogates(value: str) -> str:
    # The one part of the rule a pattern cannot carry (Rust regular expressions have no surrogates).
    if has_refused_character(value):
        raise ValueError("must not contain control or format characters")
    return value


NameText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_LENGTH, pattern=TEXT_PATTERN),
    AfterValidator(_no_lone_surrogates),
]
"""A first or last name in any script: O'Brien, José, 李, Nguyễn."""

# The addresses both email-validator and domain.values.Email accept, for the OpenAPI schema (validation
# stays with them): an ASCII dot-atom of at most 64 characters, then lower-case DNS labels whose last one
# ends with a letter and is not a special-use name (RFC 6761: .test, .local ...).
_ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = "(?!..--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TOP_LABEL = "(?!(?:arpa|invalid|local|localhost|onion|test)$)(?!..--)(?:[a-z0-9][a-z0-9-]{0,61})?[a-z]"
EMAIL_PATTERN = f"^(?=[^@]{{1,64}}@){_ATOM}(?:\\.{_ATOM})*@(?:{_LABEL}\\.)+{_TOP_LABEL}$"

EmailText = Annotated[EmailStr, Field(max_length=MAX_EMAIL_LENGTH, json_schema_extra={"pattern": EMAIL_PATTERN})]
"""Checked by email-validator (syntax only, no DNS lookup), then by the domain's own rule."""

# What domain.values.PhoneNumber accepts, spelled out: `+` or `00`, a country code that does not start
# with 0, 7 to 15 digits in all, and spaces, dots, dashes or brackets anywhere between them.
PHONE_PATTERN = r"^[ ().-]*(?:\+|00)[ ().-]*[1-9](?:[ ().-]*[0-9]){6,14}[ ().-]*$"

PhoneText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=8, max_length=24, pattern=PHONE_PATTERN),
]

SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SEARCH_LENGTH, pattern=TEXT_PATTERN),
    AfterValidator(_no_lone_surrogates),
]
"""A bounded search string; treated as data by the (parameterized) query."""
