"""API Gateway Lambda authorizer (REST TOKEN/REQUEST, HTTP API v2 simple responses).

It applies exactly the verification the service applies (the same verifier and rules),
so the gateway rejects bad tokens before they reach the service, which still verifies
them itself (defence in depth). Keys: the provider's JWKS; for self-issued tokens the
public keys of AUTH_PUBLIC_JWKS_SECRET_ID, never the private key ring, which this
function cannot read. The verifier is built once per Lambda environment; keys and
verified tokens stay cached between invocations. It has no database connection, so it
does not see self-issued access-token revocations: the service behind it enforces
those (docs/authentication.md).
"""

from __future__ import annotations

from typing import Any

from ..application.errors import AuthenticationError, AuthenticationUnavailableError
from ..infrastructure.auth import TokenVerifiers, build_token_verifier
from ..infrastructure.settings import Settings

MAX_AUTHORIZATION_HEADER_BYTES = 8192
_verifiers: list[TokenVerifiers] = []


class UnauthorizedError(Exception):
    """API Gateway turns an error with exactly this message into 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def _verifier() -> TokenVerifiers:
    if not _verifiers:
        _verifiers.append(build_token_verifier(Settings()))
    return _verifiers[0]


def _bearer(event: dict[str, Any]) -> str | None:
    value = event.get("authorizationToken")
    if value is None:
        headers = event.get("headers") or {}
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if not isinstance(value, str) or len(value) > MAX_AUTHORIZATION_HEADER_BYTES:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _resource(method_arn: str) -> str:
    # arn:aws:execute-api:region:account:api-id/stage/METHOD/path -> every route of the stage,
    # so a cached decision is valid for the caller's other requests too.
    api, _, rest = method_arn.partition("/")
    stage = rest.split("/", 1)[0]
    return f"{api}/{stage}/*/*"


def handler(event: dict[str, Any], context: Any, verifier: TokenVerifiers | None = None) -> dict[str, Any]:
    simple = event.get("version") == "2.0" and "methodArn" not in event
    token = _bearer(event)
    try:
        if token is None:
            raise UnauthorizedError
        principal = (verifier or _verifier()).verify_sync(token)
    except (AuthenticationError, AuthenticationUnavailableError, UnauthorizedError):
        if simple:
            return {"isAuthorized": False}
        raise UnauthorizedError from None
    claims = {
        "sub": principal.subject,
        "roles": " ".join(sorted(principal.roles)),
        "scopes": " ".join(sorted(principal.scopes)),
        "tenant": principal.tenant or "",
    }
    if simple:
        return {"isAuthorized": True, "context": claims}
    return {
        "principalId": principal.subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": _resource(event["methodArn"])}
            ],
        },
        "context": claims,
    }
