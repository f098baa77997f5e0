"""Where data keys come from: AWS KMS when deployed, a dev-only keyring locally."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from mypy_boto3_kms.client import KMSClient

DATA_KEY_BYTES = 32


class KeyConfigurationError(RuntimeError):
    """The key setup is missing a version or is not allowed in this environment."""


@dataclass(frozen=True, slots=True)
class DataKey:
    key_version: int
    wrapped: bytes
    plaintext: bytes = field(repr=False)


class KeyProvider(Protocol):
    """Makes new data keys under a key version and unwraps stored ones."""

    @property
    def versions(self) -> frozenset[int]: ...

    def generate_data_key(self, key_version: int) -> DataKey: ...

    def unwrap(self, key_version: int, wrapped: bytes) -> bytes: ...


class KmsKeyProvider:
    """One KMS key per key version; the encryption context binds each data key to its purpose.

    KMS rejects an unwrap whose encryption context differs, and CloudTrail logs the
    context of every call, so the version and service are visible there too.
    """

    def __init__(self, client: KMSClient, key_ids: Mapping[int, str], *, service: str) -> None:
        if not key_ids:
            raise KeyConfigurationError("no KMS key configured for PII encryption")
        self._client = client
        self._key_ids = dict(key_ids)
        self._service = service

    @property
    def versions(self) -> frozenset[int]:
        return frozenset(self._key_ids)

    def _context(self, key_version: int) -> dict[str, str]:
        return {"service": self._service, "purpose": "customer-pii", "key_version": str(key_version)}

    def _key_id(self, key_version: int) -> str:
        try:
            return self._key_ids[key_version]
        except KeyError:
            raise KeyConfigurationError(f"no KMS key for PII key version {key_version}") from None

    def generate_data_key(self, key_version: int) -> DataKey:
        response = self._client.generate_data_key(
            KeyId=self._key_id(key_version), KeySpec="AES_256", EncryptionContext=self._context(key_version)
        )
        return DataKey(key_version, response["CiphertextBlob"], response["Plaintext"])

    def unwrap(self, key_version: int, wrapped: bytes) -> bytes:
        response = self._client.decrypt(
            CiphertextBlob=wrapped,
            KeyId=self._key_id(key_version),
            EncryptionContext=self._context(key_version),
        )
        return response["Plaintext"]


# Publicly known on purpose: data sealed with it is protected from nobody.
_DEV_ONLY_SEED = b"DEV-ONLY local PII keyring - never protects real data"


class LocalDevKeyring:
    """DEV ONLY: wraps data keys with fixed, publicly known keys so local data survives restarts.

    Refuses to exist outside the local environment; deployed environments use KMS.
    """

    def __init__(self, *, environment: str, versions: frozenset[int] = frozenset({1})) -> None:
        if environment != "local":
            raise KeyConfigurationError(
                f"the dev-only local PII keyring is refused in environment {environment!r}; configure KMS"
            )
        self._master = {v: hashlib.sha256(_DEV_ONLY_SEED + str(v).encode()).digest() for v in versions}

    @property
    def versions(self) -> frozenset[int]:
        return frozenset(self._master)

    def _aead(self, key_version: int) -> AESGCM:
        try:
            return AESGCM(self._master[key_version])
        except KeyError:
            raise KeyConfigurationError(f"no local key for PII key version {key_version}") from None

    def generate_data_key(self, key_version: int) -> DataKey:
        plaintext = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        wrapped = nonce + self._aead(key_version).encrypt(nonce, plaintext, b"local-dev-keyring")
        return DataKey(key_version, wrapped, plaintext)

    def unwrap(self, key_version: int, wrapped: bytes) -> bytes:
        return self._aead(key_version).decrypt(wrapped[:12], wrapped[12:], b"local-dev-keyring")
