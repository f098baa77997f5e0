"""The characters no name or search text may hold, listed once for the domain, the API and its schema.

C0 and C1 controls (CR, LF, NUL...), format characters (bidi overrides and marks,
zero-width characters, the byte order mark, tags), the noncharacters of plane 0 and
lone surrogates. A fixed list rather than "Unicode category C": that category also
holds every code point not yet assigned, which changes with each Unicode version,
and the private-use planes, far too large for a pattern that clients and fuzzers
can use; with them the OpenAPI schema and the service would disagree. Unassigned
and private-use code points are unknown glyphs, never an injection.
"""

from __future__ import annotations

import re

REFUSED_RANGES = (
    (0x00, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F),
    (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F),
    (0xFDD0, 0xFDEF), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0xFFFE, 0xFFFF), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)  # fmt: skip
"""Every control (Cc) and format (Cf) character of Unicode 15.1, and the noncharacters of plane 0."""

# Lone surrogates reach a str only through JSON `\ud800` escapes; no UTF-8 text holds them.
_REFUSED = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in REFUSED_RANGES) + "\ud800-\udfff]")


def has_refused_character(text: str) -> bool:
    return _REFUSED.search(text) is not None
