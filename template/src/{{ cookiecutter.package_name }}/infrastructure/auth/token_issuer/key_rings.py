"""The signing key ring: current + previous key, in one Secrets Manager secret (or in memory).

`rotate()` puts a new key in front of the current one and drops anything older, so exactly
the current and the previous key verify. With a public JWKS secret, `rotate()` writes the
public keys there first: the Lambda authorizer reads nothing else, so it never holds a
signing key.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .signing_keys import SigningKey, active_key, deserialize_ring, new_signing_key, public_jwks_of, serialize_ring

KEYS_KEPT = 2  # current + previous


class KeyRing(Protocol):
    def signing_key(self) -> SigningKey: ...

    def public_jwks(self) -> dict[str, Any]: ...

    def rotate(self) -> SigningKey: ...


class InMemoryKeyRing:
    """Local runs and tests without Secrets Manager."""

    def __init__(self, keys: list[SigningKey] | None = None, *, activation_delay_seconds: float = 0) -> None:
        self._keys = keys or [new_signing_key()]
        self._delay = activation_delay_seconds

    def signing_key(self) -> SigningKey:
        return active_key(self._keys, self._delay)

    def public_jwks(self) -> dict[str, Any]:
        return public_jwks_of(self._keys)

    def rotate(self) -> SigningKey:
        self._keys = [new_signing_key(), *self._keys][:KEYS_KEPT]
        return self._keys[0]


class SecretsManagerKeyRing:
    """The key ring in one Secrets Manager secret, re-read at most every `max_age_seconds`.

    With `public_jwks_secret_id`, `rotate()` also writes the public keys (a JWKS document)
    to that secret, which is all the Lambda authorizer may read.
    """

    def __init__(
        self,
        client: Any,
        secret_id: str,
        *,
        public_jwks_secret_id: str | None = None,
        max_age_seconds: float = 60.0,
        activation_delay_seconds: float = 120.0,
    ) -> None:
        self._client = client
        self._secret_id = secret_id
        self._public_secret_id = public_jwks_secret_id
        self._max_age = max_age_seconds
        # A new key signs only after every instance had time to re-read the ring and
        # publish it (max_age + JWKS caches), so no verifier meets an unknown kid.
        self._delay = activation_delay_seconds
        self._keys: list[SigningKey] = []
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def _current(self) -> list[SigningKey]:
        with self._lock:
            if time.monotonic() - self._loaded_at >= self._max_age or not self._keys:
                value = self._client.get_secret_value(SecretId=self._secret_id)["SecretString"]
                keys = deserialize_ring(value)
                if not keys:
                    raise ValueError("the signing key ring is empty; run the rotate command once")
                self._keys, self._loaded_at = keys, time.monotonic()
            return self._keys

    def signing_key(self) -> SigningKey:
        return active_key(self._current(), self._delay)

    def public_jwks(self) -> dict[str, Any]:
        return public_jwks_of(self._current())

    def rotate(self) -> SigningKey:
        try:
            existing = deserialize_ring(self._client.get_secret_value(SecretId=self._secret_id)["SecretString"])
        except self._client.exceptions.ResourceNotFoundException:
            existing = []
        except (ValueError, KeyError):
            existing = []
        fresh = new_signing_key()
        keys = [fresh, *existing][:KEYS_KEPT]
        if self._public_secret_id is not None:
            # Public keys first: if the ring write then fails, the new key is published but never
            # signs; the other order could sign with a key the authorizer does not know.
            public = json.dumps(public_jwks_of(keys))
            self._client.put_secret_value(SecretId=self._public_secret_id, SecretString=public)
        self._client.put_secret_value(SecretId=self._secret_id, SecretString=serialize_ring(keys))
        with self._lock:
            self._keys, self._loaded_at = keys, time.monotonic()
        return fresh


def public_jwks_secret_fetcher(client: Any, secret_id: str) -> Callable[[], Mapping[str, Any]]:
    """Reads the public JWKS secret that `rotate()` writes (the authorizer's only key source)."""

    def fetch() -> Mapping[str, Any]:
        document = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
        if not isinstance(document, dict):
            raise ValueError("the public JWKS secret does not hold a JSON object")
        return document

    return fetch
