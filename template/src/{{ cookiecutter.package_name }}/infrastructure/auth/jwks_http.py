"""Keys served over HTTP(S) as a JWKS document, for providers that publish theirs (Cognito, OIDC).

Fetches go through PyJWT's `PyJWKClient` (short timeout, http(s) only, no redirects).
Its own cache is not used: on expiry it would block a request on the network and fail
it when the endpoint is down; `KeyStore` caches instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jwt import PyJWKClient
from pydantic import Field

from .keys import JwksFetcher
from .settings import AuthSettings


class RemoteKeySettings(AuthSettings):
    """The settings of a provider whose keys are fetched over HTTPS; fetches time out fast."""

    auth_jwks_url: str | None = Field(
        default=None, description="JWKS URL when keys are served elsewhere than the issuer (discovery otherwise)"
    )
    auth_jwks_timeout_seconds: float = Field(default=2.0, gt=0, le=10)

    def insecure_module_settings(self, *, production: bool) -> list[str]:
        if self.auth_jwks_url is not None and not self.auth_jwks_url.startswith("https://"):
            return ["AUTH_JWKS_URL must be an https:// URL (keys fetched in clear text can be swapped)"]
        return []


def http_jwks_fetcher(uri: str, *, timeout_seconds: float) -> JwksFetcher:
    client = PyJWKClient(uri, cache_jwk_set=False, cache_keys=False, timeout=timeout_seconds)

    def fetch() -> Mapping[str, Any]:
        data = client.fetch_data()
        if not isinstance(data, dict):
            raise ValueError("JWKS endpoint did not return a JSON object")
        return data

    return fetch
