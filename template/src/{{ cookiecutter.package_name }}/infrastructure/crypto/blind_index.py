"""HMAC-SHA256 blind index: equality search over encrypted values.

An unkeyed hash of an e-mail address is no protection: addresses are easy to
guess and hash. The index is keyed with its own secret (never the encryption
key), separated per purpose and per tenant (the same address in two tenants has
two unrelated indexes, and a row moved to another tenant is not found there), and
prefixed with the key version so the key can be rotated: lookups try every known
version, writes use the active one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping

from .binding import length_prefixed, tenant_part

MIN_KEY_BYTES = 32

# Publicly known on purpose, like the local keyring: refused outside local runs.
_DEV_ONLY_SEED = b"DEV-ONLY local blind index key - never protects real data"


type KeySource = Callable[[], Mapping[int, bytes]]


class BlindIndex:
    """`keys` is a mapping, or a function returning one (read lazily, e.g. from a TTL-cached secret)."""

    def __init__(self, keys: Mapping[int, bytes] | KeySource, *, active_version: int | None = None) -> None:
        self._source: KeySource = keys if callable(keys) else (lambda: keys)
        self._active = active_version
        if not callable(keys):
            self._keys()  # fail fast on a bad static key set

    def _keys(self) -> Mapping[int, bytes]:
        keys = self._source()
        if not keys or (self._active is not None and self._active not in keys):
            raise ValueError(f"active blind index key version {self._active} has no key")
        if any(len(key) < MIN_KEY_BYTES for key in keys.values()):
            raise ValueError(f"blind index keys must have at least {MIN_KEY_BYTES} bytes")
        return keys

    @property
    def active_version(self) -> int:
        return self._active if self._active is not None else max(self._keys())

    @staticmethod
    def _digest(key: bytes, version: int, purpose: str, tenant: str | None, value: str) -> str:
        message = length_prefixed(purpose.encode(), tenant_part(tenant), value.encode())
        return f"{version}:{hmac.new(key, message, hashlib.sha256).hexdigest()}"

    def compute(self, purpose: str, value: str, *, tenant: str | None) -> str:
        """The index stored with a new or re-encrypted record of `tenant`."""
        keys = self._keys()
        version = self._active if self._active is not None else max(keys)
        return self._digest(keys[version], version, purpose, tenant, value)

    def candidates(self, purpose: str, value: str, *, tenant: str | None) -> list[str]:
        """Every index the value may be stored under in `tenant` while a key rotation is in progress."""
        keys = self._keys()
        return [self._digest(keys[version], version, purpose, tenant, value) for version in sorted(keys)]

    @staticmethod
    def version_of(index: str) -> int:
        return int(index.split(":", 1)[0])


def keys_from_secret(secret: Mapping[str, object]) -> dict[int, bytes]:
    """Secrets Manager JSON {"1": "<base64 key>", "2": ...} -> {1: key, 2: key}."""
    return {int(version): base64.b64decode(str(value), validate=True) for version, value in secret.items()}


def dev_only_keys(*, environment: str) -> dict[int, bytes]:
    if environment != "local":
        raise RuntimeError(f"the dev-only blind index key is refused in environment {environment!r}")
    return {1: hashlib.sha256(_DEV_ONLY_SEED).digest()}
