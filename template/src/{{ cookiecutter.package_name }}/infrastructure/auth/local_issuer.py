"""A development-only RS256 issuer, usable with every auth provider.

`make token ROLE=admin` prints a token that `make run` accepts: the key pair is
generated on first use and kept in LOCAL_ISSUER_KEY_FILE (owner-only), and the
verifier trusts it only when ENVIRONMENT=local. Tokens carry their own issuer
(`LOCAL_ISSUER`) so they can never pass for the real provider's tokens. They use
the provider's roles and tenant claims (a tenant only when AUTH_TENANT_CLAIM names
one, exactly as the provider's verifier reads it) and the RFC 9068 `typ: at+jwt`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from ...application.security import Principal
from ..environment import Environment
from .keys import KeyStore
from .settings import AuthSettings
from .token_cache import VerifiedTokenCache
from .verifier import JwtVerifier, VerificationPolicy

ALGORITHM = "RS256"
LOCAL_ISSUER = "urn:local-dev-issuer"


class LocalIssuerRefusedError(RuntimeError):
    pass


class LocalIssuer:
    def __init__(
        self,
        private_key: rsa.RSAPrivateKey,
        *,
        audience: str,
        issuer: str = LOCAL_ISSUER,
        roles_claim: str = "roles",
        tenant_claim: str | None = None,
    ) -> None:
        self._private_key = private_key
        self.issuer = issuer
        self.audience = audience
        self.roles_claim = roles_claim
        self.tenant_claim = tenant_claim or None
        public_jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
        self.kid = "local-" + _thumbprint(public_jwk)[:16]
        self._jwks = {"keys": [{**public_jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}]}
        self._verifier: JwtVerifier | None = None

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> LocalIssuer:
        if settings.environment is not Environment.LOCAL:
            # The key sits on a developer's disk: a deployed service must never trust it.
            raise LocalIssuerRefusedError("the local issuer only runs with ENVIRONMENT=local")
        return cls(
            _load_or_create_key(settings.local_issuer_key_file),
            audience=settings.auth_audience,
            roles_claim=settings.auth_roles_claim,
            tenant_claim=settings.auth_tenant_claim,
        )

    def public_jwks(self) -> dict[str, Any]:
        return self._jwks

    def verifier(self, *, cache: VerifiedTokenCache | None = None, leeway_seconds: int = 30) -> JwtVerifier:
        """A verifier for this issuer's tokens with the same rules as the real provider's."""
        policy = VerificationPolicy(
            issuer=self.issuer,
            audience=self.audience,
            leeway_seconds=leeway_seconds,
            roles_claim=self.roles_claim,
            tenant_claim=self.tenant_claim,
            typ_rule="at+jwt",
        )
        return JwtVerifier(policy, KeyStore(self.public_jwks), cache=cache)

    async def verify(self, token: str) -> Principal:
        """The TokenVerifier port, for tests that pass the issuer itself as the verifier."""
        if self._verifier is None:
            self._verifier = self.verifier()
        return await self._verifier.verify(token)

    def cached(self, token: str) -> Principal | None:
        return None if self._verifier is None else self._verifier.cached(token)

    def issue(
        self,
        subject: str,
        *,
        roles: frozenset[str] = frozenset(),
        scopes: frozenset[str] = frozenset(),
        tenant: str | None = None,
        ttl_seconds: int = 900,
        extra_claims: dict[str, Any] | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": str(uuid.uuid4()),
            self.roles_claim: sorted(roles),
            "scope": " ".join(sorted(scopes)),
        }
        if tenant is not None:
            if self.tenant_claim is None:
                raise ValueError("a tenant needs AUTH_TENANT_CLAIM: without it the service reads no tenant")
            claims[self.tenant_claim] = tenant
        claims.update(extra_claims or {})
        headers = {"kid": self.kid, "typ": "at+jwt"}
        return jwt.encode(claims, self._private_key, algorithm=ALGORITHM, headers=headers)


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint of an RSA public key (base64url SHA-256)."""
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def _load_or_create_key(path: Path | None) -> rsa.RSAPrivateKey:
    if path is not None and path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError(f"{path} does not hold an RSA private key")
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Owner-only from the first byte: the key signs tokens the local service trusts.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
    return key
