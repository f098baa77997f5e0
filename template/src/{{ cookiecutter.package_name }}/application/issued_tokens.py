"""The service as its own token issuer: what the token endpoint calls and what the issuer stores.

The token endpoint (presentation) uses `TokenIssuer`; the issuer (infrastructure/auth/token_issuer)
keeps refresh tokens and access-token revocations behind the two store ports, implemented on
the service's database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from .errors import AuthenticationUnavailableError


class TokenGrantError(Exception):
    """An OAuth error (RFC 6749 §5.2): `code` is invalid_client, invalid_grant, ..."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str


@runtime_checkable
class TokenIssuer(Protocol):
    """Client-credentials and refresh grants (RFC 6749 §4.4, §6), revocation (RFC 7009), the public keys."""

    async def client_credentials(self, client_id: str, client_secret: str) -> TokenPair: ...

    async def refresh(self, client_id: str, client_secret: str, refresh_token: str) -> TokenPair: ...

    async def revoke(self, client_id: str, client_secret: str, token: str | None) -> None: ...

    def public_jwks(self) -> dict[str, Any]:
        """Blocking (it may read the key ring from Secrets Manager): call it off the event loop."""
        ...


@dataclass(frozen=True, slots=True)
class RefreshFamily:
    """A chain of rotated refresh tokens: whose it is, the tenant it was granted for, until when.

    `roles` and `scopes` record the first grant; every refresh issues the client's current ones.
    """

    family: str
    client_id: str
    subject: str
    roles: frozenset[str]
    scopes: frozenset[str]
    tenant: str | None
    expires_at: float
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class UsedRefreshToken:
    family: RefreshFamily
    already_used: bool  # True: this token was rotated before, so a copy of it is being replayed


class RefreshTokenStore(Protocol):
    """Refresh tokens by SHA-256 hash, in the database every instance shares."""

    async def start(self, token_hash: str, family: RefreshFamily) -> None:
        """Record a new family and its first token."""
        ...

    async def add(self, token_hash: str, family: str) -> None: ...

    async def use(self, token_hash: str, client_id: str) -> UsedRefreshToken | None:
        """Atomically flag `client_id`'s token used (once, across instances).

        None when unknown or another client's: that token stays unspent, so a client that
        learnt someone else's refresh token cannot burn it (and its owner's family).
        """
        ...

    async def find(self, token_hash: str) -> RefreshFamily | None: ...

    async def revoke_family(self, family: str) -> None: ...


class AccessTokenRevocationStore(Protocol):
    async def revoke(self, jti: str, expires_at: float) -> None: ...

    async def active(self) -> dict[str, float]:
        """Every revoked `jti` whose token has not expired yet, with its `exp`."""
        ...


class RevocationsUnavailableError(AuthenticationUnavailableError):
    """The revocation list has never been read in this process, so no token can be checked against it."""
