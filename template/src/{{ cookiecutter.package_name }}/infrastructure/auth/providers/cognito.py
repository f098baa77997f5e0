"""Amazon Cognito user pools: the issuer is derived from the region and pool, keys from its JWKS URL.

Cognito access tokens carry no `aud`: the app client is their `client_id`, and
`token_use` tells them from ID tokens (whose `aud` is the app client). Both are checked
here, as the policy's audience check. Only access tokens pass unless COGNITO_TOKEN_USE
also names `id`. A client-credentials token (no user name, `sub` is the app client) is
a machine client, granted by its scopes; resource-server scopes `<id>/<name>` read as `<name>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncEngine

from ....application.errors import AuthFailureReason
from ..jwks_http import RemoteKeySettings, http_jwks_fetcher
from ..provider import NoTokenVerifierConfiguredError, ProviderVerifiers, key_store, verification_policy
from ..token_cache import VerifiedTokenCache
from ..verifier import ClaimCheck, JwtVerifier, client_acts_for_itself


class ProviderSettings(RemoteKeySettings):
    """Cognito's settings, on top of the shared ones. The service's Settings derives from this class."""

    aws_region: str  # the service's Settings gives the default
    auth_roles_claim: str = "cognito:groups"
    cognito_user_pool_id: str | None = None
    cognito_client_ids: list[str] = Field(default_factory=list)
    cognito_token_use: frozenset[Literal["access", "id"]] = frozenset({"access"})
    cognito_resource_server_id: str | None = Field(
        default=None, description="Resource server whose scopes <id>/customers:read grant customers:read"
    )


def cognito_issuer(settings: ProviderSettings) -> str:
    return f"https://cognito-idp.{settings.aws_region}.amazonaws.com/{settings.cognito_user_pool_id}"


def token_use_and_client(token_uses: Iterable[str], client_ids: Iterable[str]) -> ClaimCheck:
    """An accepted `token_use`, issued to one of the app clients: `client_id` of access tokens, `aud` of ID tokens."""
    uses, clients = frozenset(token_uses), frozenset(client_ids)
    if not uses or not uses <= {"access", "id"} or not clients:
        raise ValueError("token uses must be access and/or id, and the app client ids must be set")

    def cognito_token_use_and_client(claims: Mapping[str, Any]) -> AuthFailureReason | None:
        use = claims.get("token_use")
        if not isinstance(use, str) or use not in uses:
            return AuthFailureReason.WRONG_TOKEN_USE
        issued_to = claims.get("client_id" if use == "access" else "aud")
        if not isinstance(issued_to, str) or issued_to not in clients:
            return AuthFailureReason.WRONG_AUDIENCE
        return None

    return cognito_token_use_and_client


def cognito_client_credentials(claims: Mapping[str, Any]) -> bool:
    """A Cognito client-credentials access token: no user name, and `sub` is the app client id."""
    return (
        claims.get("token_use") == "access"
        and "username" not in claims
        and "cognito:username" not in claims
        and client_acts_for_itself(claims)
    )


def cognito_verifier(settings: ProviderSettings, cache: VerifiedTokenCache) -> JwtVerifier:
    if not settings.cognito_client_ids:
        raise NoTokenVerifierConfiguredError("COGNITO_CLIENT_IDS is required with a Cognito user pool")
    issuer = cognito_issuer(settings)
    resource_server = settings.cognito_resource_server_id
    policy = verification_policy(
        settings,
        issuer,
        audience=None,
        audience_check=token_use_and_client(settings.cognito_token_use, settings.cognito_client_ids),
        machine_rule=cognito_client_credentials,
        scope_prefix=f"{resource_server}/" if resource_server else "",
    )
    jwks_url = settings.auth_jwks_url or f"{issuer}/.well-known/jwks.json"
    fetcher = http_jwks_fetcher(jwks_url, timeout_seconds=settings.auth_jwks_timeout_seconds)
    return JwtVerifier(policy, key_store(settings, fetcher, cache), cache=cache)


def build_verifiers(
    settings: ProviderSettings, cache: VerifiedTokenCache, engine: AsyncEngine | None = None
) -> ProviderVerifiers:
    """The user pool's verifier once COGNITO_USER_POOL_ID is set; `engine` is not needed here."""
    return ProviderVerifiers([cognito_verifier(settings, cache)] if settings.cognito_user_pool_id else [])
