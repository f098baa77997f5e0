"""Unambiguous encoding of what a ciphertext or a blind index is bound to.

Each part is length-prefixed, so no choice of tenant, id or value can make two
different bindings encode alike, and "no tenant" has a marker of its own that no
tenant name can produce.
"""

from __future__ import annotations

_NO_TENANT = b"\x00"
_TENANT = b"\x01"


def tenant_part(tenant: str | None) -> bytes:
    return _NO_TENANT if tenant is None else _TENANT + tenant.encode()


def length_prefixed(*parts: bytes) -> bytes:
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)
