"""AES-256-GCM field encryption under cached, KMS-wrapped data keys.

Sealed field (base64url text):

    format (1 byte, 0x02) | key version (2) | wrapped key length (2) | wrapped data key
    | nonce (12) | ciphertext + GCM tag (16)

The associated data is the header above plus table, column, record id and tenant
(each length-prefixed), so a ciphertext copied to another row, column or tenant,
or relabelled with another key version, fails to decrypt instead of yielding
someone else's data. Format 1 did not bind the tenant and is refused.

Data-key caching: one data key encrypts at most `max_messages` fields and lives
at most `max_age_seconds`, then a new one is generated (far below the 2**32
random-nonce limit of GCM). Unwrapped keys for decryption are kept in a bounded
LRU cache with the same maximum age, so a KMS call is needed per data key, not
per field.

KMS calls are blocking (boto3), so async callers first call
`prepare_encryption()` / `unwrap_keys()`, which make any needed KMS call in a
worker thread, and then encrypt and decrypt without I/O. The synchronous
`encrypt`/`decrypt` still work alone (the re-encrypt command, scripts): a cache
miss there makes the KMS call in line.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .binding import length_prefixed, tenant_part
from .keys import KeyProvider

# 2: the associated data binds the tenant. Fields of format 1 (no tenant binding) are refused.
FORMAT = 2
_HEADER = struct.Struct(">BHH")
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """A sealed field is malformed, tampered with, or bound to another record or column."""


@dataclass(frozen=True, slots=True)
class FieldContext:
    """Where a value is stored, tenant included; all of it is the associated data of its ciphertext."""

    table: str
    column: str
    record_id: str
    tenant: str | None

    def associated_data(self, header: bytes) -> bytes:
        return length_prefixed(
            header, self.table.encode(), self.column.encode(), self.record_id.encode(), tenant_part(self.tenant)
        )


type PreparedKey = AESGCM | DecryptionError


@dataclass(slots=True)
class _CachedKey:
    aead: AESGCM
    wrapped: bytes
    created: float
    uses: int = 0


class FieldEncryptor:
    def __init__(
        self,
        keys: KeyProvider,
        *,
        active_version: int,
        max_age_seconds: float = 300.0,
        max_messages: int = 10_000,
        max_cached_unwrapped: int = 1_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if active_version not in keys.versions:
            raise ValueError(f"active PII key version {active_version} has no key")
        self._keys = keys
        self.active_version = active_version
        self._max_age = max_age_seconds
        self._max_messages = max(1, max_messages)
        self._max_unwrapped = max(0, max_cached_unwrapped)
        self._clock = clock
        self._lock = threading.Lock()
        self._current: _CachedKey | None = None
        self._unwrapped: OrderedDict[bytes, tuple[AESGCM, float]] = OrderedDict()
        self.kms_calls = 0

    def _usable(self, current: _CachedKey | None, now: float, fields: int = 1) -> bool:
        return (
            current is not None
            and current.uses + fields <= self._max_messages
            and now - current.created < self._max_age
        )

    async def prepare_encryption(self, fields: int = 1) -> None:
        """Makes sure the next `fields` encryptions need no KMS call; a new data key is made in a worker thread."""
        with self._lock:
            if self._usable(self._current, self._clock(), fields):
                return
        data_key = await asyncio.to_thread(self._keys.generate_data_key, self.active_version)
        with self._lock:
            self.kms_calls += 1
            now = self._clock()
            if not self._usable(self._current, now, fields):  # unless a concurrent task got there first
                self._current = _CachedKey(AESGCM(data_key.plaintext), data_key.wrapped, now)

    def _encryption_key(self) -> _CachedKey:
        with self._lock:
            now = self._clock()
            current = self._current
            if current is None or not self._usable(current, now):
                data_key = self._keys.generate_data_key(self.active_version)
                self.kms_calls += 1
                current = _CachedKey(AESGCM(data_key.plaintext), data_key.wrapped, now)
                self._current = current
            current.uses += 1
            return current

    def _cached(self, cache_key: bytes, now: float) -> AESGCM | None:
        """Caller holds the lock."""
        cached = self._unwrapped.get(cache_key)
        if cached is not None and now - cached[1] < self._max_age:
            self._unwrapped.move_to_end(cache_key)
            return cached[0]
        return None

    def _unwrap(self, key_version: int, wrapped: bytes) -> AESGCM:
        try:
            aead = AESGCM(self._keys.unwrap(key_version, wrapped))
        except Exception as exc:  # KMS says "invalid ciphertext" in several ways
            raise DecryptionError("data key cannot be unwrapped") from exc
        cache_key = key_version.to_bytes(2, "big") + wrapped
        with self._lock:
            self.kms_calls += 1
            if self._max_unwrapped:
                self._unwrapped[cache_key] = (aead, self._clock())
                while len(self._unwrapped) > self._max_unwrapped:
                    self._unwrapped.popitem(last=False)
        return aead

    def _decryption_key(self, key_version: int, wrapped: bytes, prepared: Mapping[bytes, PreparedKey]) -> AESGCM:
        cache_key = key_version.to_bytes(2, "big") + wrapped
        if cache_key in prepared:
            found = prepared[cache_key]
            if isinstance(found, DecryptionError):
                raise DecryptionError(str(found)) from found
            return found
        with self._lock:
            cached = self._cached(cache_key, self._clock())
        return cached if cached is not None else self._unwrap(key_version, wrapped)

    async def unwrap_keys(self, tokens: Iterable[str | None]) -> dict[bytes, PreparedKey]:
        """The data keys of `tokens`, unwrapping the uncached ones in a worker thread.

        Pass the result to `decrypt(..., keys=...)`: those decryptions need no KMS call
        even when the batch holds more keys than the bounded cache keeps. A key that
        cannot be unwrapped maps to its error, raised when a field under it is decrypted.
        """
        wanted: dict[bytes, tuple[int, bytes]] = {}
        for token in tokens:
            if token is not None:
                try:
                    key_version, wrapped = _key_reference(token)
                except DecryptionError:
                    continue  # decrypt() reports it
                wanted.setdefault(key_version.to_bytes(2, "big") + wrapped, (key_version, wrapped))
        found: dict[bytes, PreparedKey] = {}
        missing: list[tuple[bytes, int, bytes]] = []
        with self._lock:
            now = self._clock()
            for cache_key, (key_version, wrapped) in wanted.items():
                cached = self._cached(cache_key, now)
                if cached is None:
                    missing.append((cache_key, key_version, wrapped))
                else:
                    found[cache_key] = cached
        if missing:
            found.update(await asyncio.to_thread(self._unwrap_all, missing))
        return found

    def _unwrap_all(self, missing: list[tuple[bytes, int, bytes]]) -> dict[bytes, PreparedKey]:
        unwrapped: dict[bytes, PreparedKey] = {}
        for cache_key, key_version, wrapped in missing:
            try:
                unwrapped[cache_key] = self._unwrap(key_version, wrapped)
            except DecryptionError as exc:
                unwrapped[cache_key] = exc
        return unwrapped

    def encrypt(self, plaintext: str, context: FieldContext) -> str:
        key = self._encryption_key()
        header = _HEADER.pack(FORMAT, self.active_version, len(key.wrapped)) + key.wrapped
        nonce = os.urandom(_NONCE_BYTES)
        sealed = key.aead.encrypt(nonce, plaintext.encode(), context.associated_data(header))
        return base64.urlsafe_b64encode(header + nonce + sealed).decode("ascii")

    def decrypt(self, token: str, context: FieldContext, *, keys: Mapping[bytes, PreparedKey] | None = None) -> str:
        try:
            blob = base64.urlsafe_b64decode(token.encode("ascii"))
            form, key_version, wrapped_length = _HEADER.unpack_from(blob)
        except (binascii.Error, UnicodeError, ValueError, struct.error) as exc:
            raise DecryptionError("not a sealed field") from exc
        if form != FORMAT:
            raise DecryptionError(f"sealed field format {form} is not {FORMAT}")
        body = _HEADER.size + wrapped_length
        header, nonce, sealed = blob[:body], blob[body : body + _NONCE_BYTES], blob[body + _NONCE_BYTES :]
        aead = self._decryption_key(key_version, header[_HEADER.size :], keys or {})
        try:
            return aead.decrypt(nonce, sealed, context.associated_data(header)).decode()
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("sealed field does not belong here or was altered") from exc

    @staticmethod
    def key_version(token: str) -> int:
        return _key_reference(token)[0]


def _key_reference(token: str) -> tuple[int, bytes]:
    """(key version, wrapped data key) from a sealed field's header."""
    try:
        blob = base64.urlsafe_b64decode(token.encode("ascii"))
        _, key_version, wrapped_length = _HEADER.unpack_from(blob)
    except (binascii.Error, UnicodeError, ValueError, struct.error) as exc:
        raise DecryptionError("not a sealed field") from exc
    return int(key_version), blob[_HEADER.size : _HEADER.size + wrapped_length]
