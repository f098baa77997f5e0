"""Machine clients (AUTH_CLIENTS) and their secrets.

Clients use the client-credentials grant with a secret whose SHA-256 is configured
(secrets are 256-bit random values, so a fast hash is enough and the comparison is
constant-time). A malformed entry stops the service instead of granting oddly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..verifier import MAX_TENANT_LENGTH


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_client_secret() -> tuple[str, str]:
    """A fresh client secret and the SHA-256 that AUTH_CLIENTS records."""
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return secret, hash_secret(secret)


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    secret_sha256: str
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    tenant: str | None = None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Client:
        """An AUTH_CLIENTS entry; a malformed one stops the service (ValueError) instead of granting oddly."""
        client_id, digest, tenant = raw.get("client_id"), raw.get("secret_sha256"), raw.get("tenant")
        if not isinstance(client_id, str) or not client_id:
            raise ValueError("every AUTH_CLIENTS entry needs a client_id")
        if not isinstance(digest, str) or len(digest) != 64:
            raise ValueError(f"AUTH_CLIENTS entry {client_id!r}: secret_sha256 must be 64 hex characters")
        if tenant is not None and (not isinstance(tenant, str) or not 0 < len(tenant) <= MAX_TENANT_LENGTH):
            raise ValueError(f"AUTH_CLIENTS entry {client_id!r}: tenant must be a string of 1 to 64 characters")
        return cls(
            client_id=client_id,
            secret_sha256=digest.lower(),
            roles=_names(raw.get("roles", []), client_id, "roles"),
            scopes=_names(raw.get("scopes", []), client_id, "scopes"),
            tenant=tenant,
        )

    def secret_matches(self, presented: str) -> bool:
        return hmac.compare_digest(hash_secret(presented), self.secret_sha256)


def _names(value: Any, client_id: str, field: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"AUTH_CLIENTS entry {client_id!r}: {field} must be a list of names")
    return frozenset(value)


def check_tenant_claim(clients: Iterable[Client], tenant_claim: str | None) -> None:
    """Refuse a registry the verifier would misread: tenants need the claim, and the claim needs tenants.

    Without a tenant claim every token reads the tenant-less rows, whatever tenant its client
    was registered with; with one, a token without it is refused.
    """
    for client in clients:
        if tenant_claim is None and client.tenant is not None:
            raise ValueError(
                f"AUTH_CLIENTS entry {client.client_id!r} has a tenant but AUTH_TENANT_CLAIM is not set: "
                "set AUTH_TENANT_CLAIM (e.g. tenant) so that tokens carry and enforce it"
            )
        if tenant_claim is not None and client.tenant is None:
            raise ValueError(
                f"AUTH_CLIENTS entry {client.client_id!r} has no tenant but AUTH_TENANT_CLAIM is set: "
                "every token must name its tenant"
            )
