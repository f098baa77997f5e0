"""What every provider module (providers/<name>.py) builds on, and what it hands back to the factory.

A provider module exports `ProviderSettings` (its settings class, extending `AuthSettings`
with its own fields and insecure-configuration checks) and
`build_verifiers(settings, cache, engine) -> ProviderVerifiers`: the verifiers of the
issuers it trusts, with its own claim rules and key sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .keys import JwksFetcher, KeyStore
from .settings import AuthSettings
from .token_cache import VerifiedTokenCache
from .verifier import JwtVerifier, VerificationPolicy


class NoTokenVerifierConfiguredError(RuntimeError):
    pass


class Revocations(Protocol):
    """A revocation list the request path consults (self-issued tokens)."""

    def refresh_soon(self) -> None:
        """Start a background re-read when due; never waits."""
        ...

    async def ensure_loaded(self) -> None:
        """Return once the list has been read at least once in this process."""
        ...


@dataclass(frozen=True, slots=True)
class ProviderVerifiers:
    verifiers: list[JwtVerifier]
    # A provider that issues tokens itself: the service behind its endpoints (self-issued: the
    # token endpoint's TokenIssuer). Passed through untouched; nothing shared calls it.
    token_service: object | None = None
    revoked: Revocations | None = None


def verification_policy(settings: AuthSettings, issuer: str, **overrides: Any) -> VerificationPolicy:
    """The shared settings (audience, algorithms, leeway, claims) with the provider's own rules on top."""
    fields: dict[str, Any] = {
        "issuer": issuer,
        "audience": settings.auth_audience,
        "algorithms": frozenset(settings.auth_algorithms),
        "leeway_seconds": settings.auth_leeway_seconds,
        "roles_claim": settings.auth_roles_claim,
        "tenant_claim": settings.tenant_claim,
    }
    return VerificationPolicy(**(fields | overrides))


def key_store(settings: AuthSettings, fetcher: JwksFetcher, cache: VerifiedTokenCache) -> KeyStore:
    """Keys from `fetcher`, cached as configured; tokens verified with a key that leaves the set are forgotten."""
    return KeyStore(
        fetcher,
        lifespan_seconds=settings.auth_jwks_cache_seconds,
        cooldown_seconds=settings.auth_jwks_cooldown_seconds,
        on_keys_removed=cache.forget_kids,
    )
