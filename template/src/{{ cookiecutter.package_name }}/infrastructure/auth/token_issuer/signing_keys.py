"""RS256 signing keys and how a key ring is stored.

A ring is one JSON document, `{"keys": [{"kid", "alg", "private_key_pem", "created_at"}]}`,
newest first. A new key is published (JWKS) at once but signs only after an activation
delay (`active_key`), so no instance ever meets a `kid` it has not loaded yet.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ALGORITHM = "RS256"
KEY_SIZE = 2048


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    created_at: int

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


def new_signing_key(now: int | None = None) -> SigningKey:
    created = int(time.time()) if now is None else now
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    return SigningKey(f"{created}-{secrets.token_hex(4)}", key, created)


def active_key(keys: list[SigningKey], activation_delay: float) -> SigningKey:
    """The newest key that every instance has had time to publish; the oldest one otherwise."""
    ready = time.time() - activation_delay
    return next((key for key in keys if key.created_at <= ready), keys[-1])


def public_jwks_of(keys: Iterable[SigningKey]) -> dict[str, Any]:
    return {"keys": [key.public_jwk() for key in keys]}


def serialize_ring(keys: Iterable[SigningKey]) -> str:
    entries = []
    for key in keys:
        pem = key.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        entries.append({"kid": key.kid, "alg": ALGORITHM, "private_key_pem": pem, "created_at": key.created_at})
    return json.dumps({"keys": entries})


def deserialize_ring(value: str) -> list[SigningKey]:
    keys = []
    for entry in json.loads(value).get("keys", []):
        key = serialization.load_pem_private_key(entry["private_key_pem"].encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey) or entry.get("alg", ALGORITHM) != ALGORITHM:
            raise ValueError("key ring entries must be RS256 RSA keys")
        keys.append(SigningKey(str(entry["kid"]), key, int(entry["created_at"])))
    return keys
