"""The grants: client credentials, refresh-token rotation and reuse detection, revocation (RFC 6749, RFC 7009).

Refresh tokens are opaque random strings stored only as SHA-256 hashes; each use rotates
them, and presenting an already-used one revokes its whole family. Every refresh issues
what the client's entry grants now (roles, scopes), so a downgraded client cannot keep its
old rights; a removed client or one moved to another tenant gets `invalid_client` /
`invalid_grant`. Access tokens are short-lived and can be revoked by `jti`; see
revocations.py for how fast a revocation reaches the other instances.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import Iterable
from typing import Any

import jwt

from ....application.issued_tokens import RefreshFamily, RefreshTokenStore, TokenGrantError, TokenPair
from .clients import Client, check_tenant_claim, hash_secret
from .key_rings import KeyRing
from .revocations import RevokedAccessTokens
from .signing_keys import ALGORITHM

MAX_JTI_LENGTH = 64


class TokenService:
    def __init__(
        self,
        *,
        keyring: KeyRing,
        issuer: str,
        audience: str,
        clients: Iterable[Client],
        refresh_store: RefreshTokenStore,
        revoked: RevokedAccessTokens,
        access_ttl_seconds: int = 300,
        refresh_ttl_seconds: int = 14 * 86400,
        roles_claim: str = "roles",
        tenant_claim: str | None = None,
    ) -> None:
        self.keyring = keyring
        self.issuer = issuer
        self.audience = audience
        self._clients = {client.client_id: client for client in clients}
        # The verifier reads exactly this claim; see check_tenant_claim for the registry rule.
        check_tenant_claim(self._clients.values(), tenant_claim)
        self._refresh = refresh_store
        self.revoked = revoked
        self._access_ttl = access_ttl_seconds
        self._refresh_ttl = refresh_ttl_seconds
        self._roles_claim = roles_claim
        self._tenant_claim = tenant_claim
        # Spend the same hashing work on unknown client ids as on known ones.
        self._decoy = Client("", hash_secret(secrets.token_urlsafe(32)))

    def public_jwks(self) -> dict[str, Any]:
        """The ring's public keys (/.well-known/jwks.json). Blocking: it may read Secrets Manager."""
        return self.keyring.public_jwks()

    def authenticate_client(self, client_id: str, client_secret: str) -> Client:
        client = self._clients.get(client_id)
        matches = (client or self._decoy).secret_matches(client_secret)
        if client is None or not matches:
            raise TokenGrantError("invalid_client")
        return client

    async def client_credentials(self, client_id: str, client_secret: str) -> TokenPair:
        client = self.authenticate_client(client_id, client_secret)
        family = RefreshFamily(
            family=uuid.uuid4().hex,
            client_id=client.client_id,
            subject=client.client_id,
            roles=client.roles,
            scopes=client.scopes,
            tenant=client.tenant,
            expires_at=time.time() + self._refresh_ttl,
        )
        refresh_token = secrets.token_urlsafe(32)
        await self._refresh.start(hash_secret(refresh_token), family)
        return await self._pair(client, refresh_token)

    async def refresh(self, client_id: str, client_secret: str, refresh_token: str) -> TokenPair:
        """Rotate `refresh_token`; the new access token carries the client's current roles and scopes.

        The client is authenticated and looked up again on every refresh: a removed client
        gets invalid_client, one moved to another tenant invalid_grant (its family ends).
        """
        client = self.authenticate_client(client_id, client_secret)
        # The client check is part of the conditional update: another client's token is not spent.
        used = await self._refresh.use(hash_secret(refresh_token), client.client_id)
        if used is None:
            raise TokenGrantError("invalid_grant")
        family = used.family
        if used.already_used or family.tenant != client.tenant:
            # Reuse of a rotated token (someone holds a copy), or a grant for another tenant's
            # data: kill the whole family.
            await self._refresh.revoke_family(family.family)
            raise TokenGrantError("invalid_grant")
        if family.revoked or family.expires_at <= time.time():
            raise TokenGrantError("invalid_grant")
        rotated = secrets.token_urlsafe(32)
        await self._refresh.add(hash_secret(rotated), family.family)
        return await self._pair(client, rotated)

    async def revoke(self, client_id: str, client_secret: str, token: str | None) -> None:
        """RFC 7009: revoke a refresh token (its family) or an access token (its jti).

        The client is authenticated first, also when the request names no token
        (then invalid_request, §2.1).
        """
        client = self.authenticate_client(client_id, client_secret)
        if not token:
            raise TokenGrantError("invalid_request")
        family = await self._refresh.find(hash_secret(token))
        if family is not None:
            if family.client_id == client.client_id:
                await self._refresh.revoke_family(family.family)
            return
        try:
            # Reading the key ring may call Secrets Manager: kept off the event loop.
            claims = await asyncio.to_thread(self._own_access_token_claims, token)
        except (jwt.PyJWTError, ValueError, TypeError):
            return  # unknown or forged tokens are not an error (RFC 7009 §2.2)
        jti, exp = claims.get("jti"), claims.get("exp")
        if (
            claims.get("client_id") == client.client_id
            and isinstance(jti, str)
            and 0 < len(jti) <= MAX_JTI_LENGTH
            and isinstance(exp, int | float)
            and exp > time.time()
        ):
            await self.revoked.revoke(jti, float(exp))

    def _own_access_token_claims(self, token: str) -> dict[str, Any]:
        """Claims of an access token this service signed; a forged one cannot revoke another's `jti`.

        Expiry is not checked here: revoking an expired token is a no-op (see `revoke`).
        """
        kid = jwt.get_unverified_header(token).get("kid")
        jwk = next((key for key in self.keyring.public_jwks()["keys"] if key.get("kid") == kid), None)
        if jwk is None:
            raise jwt.InvalidKeyError("not signed by this service")
        claims: dict[str, Any] = jwt.decode(
            token,
            jwt.PyJWK(jwk, ALGORITHM).key,
            algorithms=[ALGORITHM],
            issuer=self.issuer,
            audience=self.audience,
            options={"verify_exp": False},
        )
        return claims

    async def _pair(self, client: Client, refresh_token: str) -> TokenPair:
        # Signing may re-read the key ring from Secrets Manager: kept off the event loop.
        access_token = await asyncio.to_thread(self.issue_access_token, client)
        return TokenPair(access_token, self._access_ttl, refresh_token)

    def issue_access_token(self, client: Client) -> str:
        """A client-credentials access token: `sub` is the client itself (RFC 9068 §2.2)."""
        key = self.keyring.signing_key()
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": client.client_id,
            "client_id": client.client_id,
            "iat": now,
            "exp": now + self._access_ttl,
            "jti": uuid.uuid4().hex,
            "token_use": "access",
            self._roles_claim: sorted(client.roles),
            "scope": " ".join(sorted(client.scopes)),
        }
        if self._tenant_claim is not None and client.tenant is not None:
            claims[self._tenant_claim] = client.tenant
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "at+jwt"})
