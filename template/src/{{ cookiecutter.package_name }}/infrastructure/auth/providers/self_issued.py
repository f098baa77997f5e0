"""Self-issued RS256 tokens: the service's own token endpoint signs them, its verifier checks them.

With the service's database engine, refresh tokens and access-token revocations are
shared through it and the token endpoint is available. Without one (the Lambda
authorizer) only signatures and claims are checked, with the public keys of
AUTH_PUBLIC_JWKS_SECRET_ID (never the private key ring); revocation is then enforced by
the service behind the authorizer. The issuer itself is in ../token_issuer/.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncEngine

from ....application.errors import AuthFailureReason
from ...environment import Environment
from ..keys import JwksFetcher
from ..provider import ProviderVerifiers, key_store, verification_policy
from ..settings import AuthSettings
from ..token_cache import VerifiedTokenCache
from ..token_issuer.clients import Client
from ..token_issuer.key_rings import InMemoryKeyRing, KeyRing, SecretsManagerKeyRing, public_jwks_secret_fetcher
from ..token_issuer.revocations import RevokedAccessTokens
from ..token_issuer.token_service import TokenService
from ..token_issuer.token_store import SqlAccessTokenRevocationStore, SqlRefreshTokenStore
from ..verifier import JwtVerifier, VerificationPolicy

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager.client import SecretsManagerClient


class ProviderSettings(AuthSettings):
    """The issuer's settings, on top of the shared ones. The service's Settings derives from this class."""

    aws_region: str  # the service's Settings gives the default
    auth_signing_secret_id: str | None = Field(
        default=None, description="Secrets Manager secret holding the RS256 key ring (current + previous key)"
    )
    auth_public_jwks_secret_id: str | None = Field(
        default=None, description="Secrets Manager secret holding only the public keys (JWKS), for the authorizer"
    )
    auth_access_token_seconds: int = Field(default=300, ge=60, le=3600)
    auth_refresh_token_seconds: int = Field(default=14 * 86400, ge=300, le=90 * 86400)
    auth_revocation_refresh_seconds: float = Field(
        default=5.0, ge=0.5, le=60, description="How soon an access-token revocation reaches every other instance"
    )
    auth_clients: list[dict[str, Any]] = Field(
        default_factory=list, description="Machine clients: client_id, secret_sha256, roles, scopes, tenant"
    )


def require_access_token(claims: Mapping[str, Any]) -> AuthFailureReason | None:
    """Only this issuer's access tokens (never another token type it might sign)."""
    return None if claims.get("token_use") == "access" else AuthFailureReason.WRONG_TOKEN_USE


def self_issued_policy(settings: ProviderSettings) -> VerificationPolicy:
    # Its tokens carry `typ: at+jwt` and `token_use: access`; anything else it never issued.
    return verification_policy(settings, settings.auth_issuer, typ_rule="at+jwt", extra_checks=(require_access_token,))


def _keyring(settings: ProviderSettings) -> KeyRing:
    if settings.auth_signing_secret_id:
        client = _secrets_manager(settings)
        return SecretsManagerKeyRing(
            client, settings.auth_signing_secret_id, public_jwks_secret_id=settings.auth_public_jwks_secret_id
        )
    return InMemoryKeyRing()


def _secrets_manager(settings: ProviderSettings) -> SecretsManagerClient:
    import boto3  # noqa: PLC0415 - a third of a second to import: only where a client is made

    return boto3.client("secretsmanager", region_name=settings.aws_region)


def token_service(
    settings: ProviderSettings, keyring: KeyRing, engine: AsyncEngine, revoked: RevokedAccessTokens
) -> TokenService:
    return TokenService(
        keyring=keyring,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        clients=[Client.from_mapping(raw) for raw in settings.auth_clients],
        refresh_store=SqlRefreshTokenStore(engine),
        revoked=revoked,
        access_ttl_seconds=settings.auth_access_token_seconds,
        refresh_ttl_seconds=settings.auth_refresh_token_seconds,
        roles_claim=settings.auth_roles_claim,
        tenant_claim=settings.tenant_claim,
    )


def self_issued_verifier(
    settings: ProviderSettings, service: TokenService, revoked: RevokedAccessTokens, cache: VerifiedTokenCache
) -> JwtVerifier:
    def public_jwks() -> dict[str, Any]:
        # The ring in use now (tests and rotations swap the service's).
        return service.keyring.public_jwks()

    keys = key_store(settings, public_jwks, cache)
    return JwtVerifier(self_issued_policy(settings), keys, cache=cache, is_revoked=revoked.is_revoked)


def public_key_verifier(settings: ProviderSettings, cache: VerifiedTokenCache) -> JwtVerifier:
    """Verification without the token service: keys from the public JWKS secret only.

    Locally, without that secret, a throw-away in-memory ring stands in (nothing it does not sign verifies).
    """
    if settings.auth_public_jwks_secret_id:
        client = _secrets_manager(settings)
        fetcher: JwksFetcher = public_jwks_secret_fetcher(client, settings.auth_public_jwks_secret_id)
    else:
        fetcher = InMemoryKeyRing().public_jwks
    return JwtVerifier(self_issued_policy(settings), key_store(settings, fetcher, cache), cache=cache)


def build_verifiers(
    settings: ProviderSettings, cache: VerifiedTokenCache, engine: AsyncEngine | None = None
) -> ProviderVerifiers:
    local = settings.environment is Environment.LOCAL
    if engine is None:
        # The Lambda authorizer: public keys only, never the private key ring.
        public_keys = settings.auth_public_jwks_secret_id or local
        return ProviderVerifiers([public_key_verifier(settings, cache)] if public_keys else [])
    if not (settings.auth_signing_secret_id or local):
        return ProviderVerifiers([])
    revoked = RevokedAccessTokens(
        SqlAccessTokenRevocationStore(engine), refresh_seconds=settings.auth_revocation_refresh_seconds
    )
    revoked.listeners.append(cache.forget_jti)
    service = token_service(settings, _keyring(settings), engine, revoked)
    return ProviderVerifiers(
        [self_issued_verifier(settings, service, revoked, cache)], token_service=service, revoked=revoked
    )
