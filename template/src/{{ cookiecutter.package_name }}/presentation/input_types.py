"""Building blocks for request models: bounded, validated strings (schemas.py uses them).

No keyword blacklists: SQL and HTML metacharacters are ordinary data here.
Queries are parameterized and responses are JSON, so rejecting `'` or `<`
would only turn away real names (O'Brien) without stopping any attack.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 100
MAX_SEARCH_LENGTH = 100


def _no_control_characters(value: str) -> str:
    # Category C: control (CR, LF, NUL...), format (bidi overrides), surrogates, unassigned.
    if any(unicodedata.category(char).startswith("C") for char in value):
        raise ValueError("must not contain control characters")
    return value


NameText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_LENGTH),
    AfterValidator(_no_control_characters),
]
"""A first or last name in any script: O'Brien, José, 李, Nguyễn."""

EmailText = Annotated[EmailStr, Field(max_length=MAX_EMAIL_LENGTH)]
"""Checked by email-validator (syntax only, no DNS lookup)."""

PhoneText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=7, max_length=24, pattern=r"^\+?[0-9 ().-]+$"),
]

SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SEARCH_LENGTH),
    AfterValidator(_no_control_characters),
]
"""A bounded search string; treated as data by the (parameterized) query."""
