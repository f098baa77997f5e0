"""Builds the TokenVerifier: the configured provider's verifiers, plus the local issuer's when ENVIRONMENT=local."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from ...application.security import Principal
from ..environment import Environment
from .local_issuer import LocalIssuer
from .provider import NoTokenVerifierConfiguredError, Revocations
from .providers import ProviderSettings, build_verifiers
from .token_cache import VerifiedTokenCache, token_digest
from .verifier import MAX_TOKEN_LENGTH, JwtVerifier, Reason, reject


class TokenVerifiers:
    """The TokenVerifier port: one shared cache of verified tokens, then a verifier per trusted issuer.

    The unverified `iss` only picks which verifier (keys, rules) checks a token, and
    that verifier then checks everything, the issuer included. A token naming no
    trusted issuer is refused before any key lookup, so it can never trigger a fetch.
    With a revocation list (self-issued tokens), cache hits start its background
    re-read and the first uncached token of a process waits for its first read.
    """

    def __init__(
        self,
        verifiers: list[JwtVerifier],
        cache: VerifiedTokenCache,
        token_service: object | None = None,
        revoked: Revocations | None = None,
    ) -> None:
        if not verifiers:
            raise NoTokenVerifierConfiguredError("no token issuer is configured")
        self.verifiers = {verifier.policy.issuer: verifier for verifier in verifiers}
        self.cache = cache
        self.token_service = token_service
        self.revoked = revoked

    def cached(self, token: str) -> Principal | None:
        if self.revoked is not None:
            # A clock comparison; the database read runs in the background and purges revoked entries.
            self.revoked.refresh_soon()
        return self.cache.get(token_digest(token))

    async def verify(self, token: str) -> Principal:
        principal = self.cached(token)
        if principal is not None:
            return principal
        verifier = self._verifier_for(token)
        if self.revoked is not None:
            await self.revoked.ensure_loaded()  # only the first uncached token of a process waits for it
        return await verifier.verify_uncached(token, token_digest(token))

    def verify_sync(self, token: str) -> Principal:
        digest = token_digest(token)
        principal = self.cache.get(digest)
        if principal is not None:
            return principal
        return self._verifier_for(token).verify_uncached_sync(token, digest)

    def _verifier_for(self, token: str) -> JwtVerifier:
        verifier = self.verifiers.get(_unverified_issuer(token))
        if verifier is None:
            raise reject(Reason.WRONG_ISSUER, "untrusted_iss")
        return verifier


def _unverified_issuer(token: str) -> str:
    if len(token) > MAX_TOKEN_LENGTH:
        raise reject(Reason.HEADER_TOO_LARGE)
    parts = token.split(".")
    if len(parts) != 3:
        raise reject(Reason.MALFORMED, "segments")
    try:
        payload: Any = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise reject(Reason.MALFORMED, "payload_json") from None
    issuer = payload.get("iss") if isinstance(payload, dict) else None
    if not isinstance(issuer, str):
        raise reject(Reason.MISSING_CLAIM, "iss")
    return issuer


def build_token_verifier(settings: ProviderSettings, engine: AsyncEngine | None = None) -> TokenVerifiers:
    """The verifiers of the configured provider (providers/), and of the local issuer when local.

    `engine` is the service's database: a provider that keeps state there (self-issued refresh
    tokens and revocations) needs it; the Lambda authorizer passes none.
    """
    cache = VerifiedTokenCache(
        max_entries=settings.auth_token_cache_size, max_ttl_seconds=settings.auth_token_cache_seconds
    )
    verifiers: list[JwtVerifier] = []
    if settings.environment is Environment.LOCAL:
        issuer = LocalIssuer.from_settings(settings)
        verifiers.append(issuer.verifier(cache=cache, leeway_seconds=settings.auth_leeway_seconds))
    provided = build_verifiers(settings, cache, engine)
    verifiers += provided.verifiers
    return TokenVerifiers(verifiers, cache, provided.token_service, provided.revoked)


__all__ = ["NoTokenVerifierConfiguredError", "TokenVerifiers", "build_token_verifier"]
