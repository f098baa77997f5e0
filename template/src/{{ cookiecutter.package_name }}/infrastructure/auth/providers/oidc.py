"""Any OpenID Connect provider: keys from AUTH_JWKS_URL, else from the issuer's discovery document.

Discovery reads `<issuer>/.well-known/openid-configuration` (no redirects, its `issuer`
must match exactly, both URLs https unless ENVIRONMENT=local) on the first fetch, off the
event loop. Access tokens are told from ID tokens by AUTH_TOKEN_TYPE; machine tokens are
those whose `sub` is their `client_id` (RFC 9068), or those matching AUTH_MACHINE_CLAIMS.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncEngine

from ...environment import Environment
from ..jwks_http import RemoteKeySettings, http_jwks_fetcher
from ..keys import JwksFetcher
from ..provider import ProviderVerifiers, key_store, verification_policy
from ..token_cache import VerifiedTokenCache
from ..verifier import JwtVerifier, client_acts_for_itself

MAX_DISCOVERY_DOCUMENT_BYTES = 1_000_000


class ProviderSettings(RemoteKeySettings):
    """The OIDC provider's settings, on top of the shared ones. The service's Settings derives from this class."""

    auth_token_type: Literal["at+jwt", "not-id-token", "any"] = Field(
        default="not-id-token", description="How access tokens are told from ID tokens (docs/authentication.md)"
    )
    auth_machine_claims: dict[str, str] = Field(
        default_factory=dict, description='Claims marking client-credentials tokens, e.g. {"gty": "client-credentials"}'
    )

    def insecure_module_settings(self, *, production: bool) -> list[str]:
        if self.auth_issuer.startswith("http://"):
            return ["AUTH_ISSUER must be an https:// URL (its discovery document names the keys)"]
        return []


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def discover_jwks_uri(issuer: str, *, timeout_seconds: float, allow_http: bool = False) -> str:
    """Read `jwks_uri` from the issuer's discovery document, whose `issuer` must match exactly.

    Both URLs must be https unless `allow_http` (ENVIRONMENT=local): keys fetched in clear
    text can be swapped on the way.
    """
    schemes = ("http", "https") if allow_http else ("https",)
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    if urlparse(url).scheme not in schemes:
        raise ValueError("issuer must be an https URL for discovery")
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(url, timeout=timeout_seconds) as response:
        document = json.loads(response.read(MAX_DISCOVERY_DOCUMENT_BYTES))
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise ValueError("discovery document issuer does not match the configured issuer")
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str) or urlparse(jwks_uri).scheme not in schemes:
        raise ValueError("discovery document has no usable (https) jwks_uri")
    return jwks_uri


def discovered_jwks_fetcher(issuer: str, *, timeout_seconds: float, allow_http: bool = False) -> JwksFetcher:
    """Resolve the JWKS URL lazily (inside the first fetch, off the event loop), then fetch it."""
    resolved: list[JwksFetcher] = []

    def fetch() -> Mapping[str, Any]:
        if not resolved:
            resolved.append(
                http_jwks_fetcher(
                    discover_jwks_uri(issuer, timeout_seconds=timeout_seconds, allow_http=allow_http),
                    timeout_seconds=timeout_seconds,
                )
            )
        return resolved[0]()

    return fetch


def claims_equal(expected: Mapping[str, str]) -> Callable[[Mapping[str, Any]], bool]:
    """A machine-token rule for providers that mark the grant, e.g. Auth0's {"gty": "client-credentials"}."""
    pairs = tuple(expected.items())

    def matches(claims: Mapping[str, Any]) -> bool:
        return all(claims.get(name) == value for name, value in pairs)

    return matches


def oidc_verifier(settings: ProviderSettings, cache: VerifiedTokenCache) -> JwtVerifier:
    timeout = settings.auth_jwks_timeout_seconds
    if settings.auth_jwks_url:
        fetcher = http_jwks_fetcher(settings.auth_jwks_url, timeout_seconds=timeout)
    else:
        local = settings.environment is Environment.LOCAL
        fetcher = discovered_jwks_fetcher(settings.auth_issuer, timeout_seconds=timeout, allow_http=local)
    machine_rule: Callable[[Mapping[str, Any]], bool] = client_acts_for_itself
    if settings.auth_machine_claims:
        machine_rule = claims_equal(settings.auth_machine_claims)
    policy = verification_policy(
        settings, settings.auth_issuer, typ_rule=settings.auth_token_type, machine_rule=machine_rule
    )
    return JwtVerifier(policy, key_store(settings, fetcher, cache), cache=cache)


def build_verifiers(
    settings: ProviderSettings, cache: VerifiedTokenCache, engine: AsyncEngine | None = None
) -> ProviderVerifiers:
    """The provider's verifier once AUTH_ISSUER is an http(s) URL; `engine` is not needed here."""
    configured = settings.auth_issuer.startswith(("https://", "http://"))
    return ProviderVerifiers([oidc_verifier(settings, cache)] if configured else [])
