"""Bearer token verification shared by every provider (RFC 8725, OWASP JWT cheat sheet).

Checks, in order, before any key is used: size cap, three base64url segments,
a JSON object header, an allow-listed asymmetric `alg` (never `none`/HS*), a
string `kid`, no `jku`/`x5u`/`jwk`/`x5c` (never followed) and no `crit`.
Then the key's own alg/use/kty must fit, and PyJWT checks the signature,
`exp`/`nbf`/`iat` (leeway <= 60 s), the exact `iss`, required claims and `aud`.
PyJWT accepts a NumericDate written as a string ("1999999999"), so the claim
types are checked here too (RFC 7519: numbers; `iss`, `sub`, `jti` strings; `aud`
a string or a list of strings). The access-token type rule and the provider's own
rules (`audience_check`, `extra_checks`: e.g. Cognito's `token_use`/`client_id`, in
providers/cognito.py) follow. Tokens that pass are remembered in a
`VerifiedTokenCache`, so repeat requests skip the RSA work.
Rejections raise `AuthenticationError` with a generic message and an
`AuthFailureReason` (a closed, log-safe set the audit hook and metrics use); the
reason and a finer detail code are logged, never the token.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import jwt

from ...application.errors import AuthenticationError, AuthFailureReason
from ...application.security import Principal
from .keys import MAX_KID_LENGTH, KeyStore, KeysUnavailableError, VerificationKey
from .token_cache import VerifiedTokenCache, token_digest

logger = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 8192
MAX_LEEWAY_SECONDS = 60
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
FORBIDDEN_HEADERS = ("jku", "x5u", "jwk", "x5c", "crit")
MAX_TENANT_LENGTH = 64  # the width of the tenant columns
# NumericDate bound: far past any real date, and small enough that every later float() is exact.
MAX_NUMERIC_DATE = 2**53
_NUMERIC_DATES = ("exp", "nbf", "iat")
_STRING_CLAIMS = ("iss", "sub", "jti")
# Claims only ID tokens carry (OpenID Connect Core §2, §3.3.2.11).
ID_TOKEN_CLAIMS = ("nonce", "at_hash", "c_hash")
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")

# How an access token is told from other JWTs of the same issuer:
# "at+jwt": the RFC 9068 header `typ: at+jwt` is required;
# "not-id-token": `typ: at+jwt` passes, any other explicit type but `JWT` is refused, and a
#   token without `at+jwt` that carries an ID-token claim (nonce, at_hash, c_hash) is refused;
# "any": no type rule (providers whose rules already separate the types, e.g. Cognito's token_use).
TypRule = Literal["at+jwt", "not-id-token", "any"]
# A provider's rule on verified claims: None when they pass, else why not (its name is the log detail).
ClaimCheck = Callable[[Mapping[str, Any]], AuthFailureReason | None]


Reason = AuthFailureReason


class InvalidTokenError(AuthenticationError):
    def __init__(self, reason: AuthFailureReason, detail: str) -> None:
        super().__init__("invalid token", reason)
        self.detail = detail


# PyJWT's own rejections, by class; anything else it raises counts as an invalid claim.
_PYJWT_REASONS: tuple[tuple[type[Exception], AuthFailureReason], ...] = (
    (jwt.ExpiredSignatureError, Reason.EXPIRED),
    (jwt.ImmatureSignatureError, Reason.NOT_YET_VALID),
    (jwt.InvalidSignatureError, Reason.BAD_SIGNATURE),
    (jwt.InvalidIssuerError, Reason.WRONG_ISSUER),
    (jwt.InvalidAudienceError, Reason.WRONG_AUDIENCE),
    (jwt.MissingRequiredClaimError, Reason.MISSING_CLAIM),
    (jwt.DecodeError, Reason.MALFORMED),
)


def client_acts_for_itself(claims: Mapping[str, Any]) -> bool:
    """RFC 9068 §2.2: a client-credentials token's `sub` is the client's own id (`client_id`)."""
    client_id = claims.get("client_id")
    return isinstance(client_id, str) and bool(client_id) and claims.get("sub") == client_id


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    issuer: str
    # The `aud` every token must name. None only with an `audience_check`: for providers whose
    # tokens carry their audience elsewhere (Cognito access tokens: `client_id`).
    audience: str | None = None
    audience_check: ClaimCheck | None = None
    algorithms: frozenset[str] = frozenset({"RS256"})
    leeway_seconds: int = 30
    roles_claim: str = "roles"
    # Cognito resource-server scopes read `<identifier>/<name>`: with "<identifier>/" here they
    # count as `<name>`, so `api/customers:read` grants `customers:read`; other scopes stay as they are.
    scope_prefix: str = ""
    # When set, every token must name its tenant in this claim (no tenant-less fall-back).
    tenant_claim: str | None = None
    required_claims: tuple[str, ...] = ("exp", "iat", "iss", "sub")
    typ_rule: TypRule = "any"
    # Tells a client acting for itself (its scopes grant) from a user (scopes only narrow).
    machine_rule: Callable[[Mapping[str, Any]], bool] = client_acts_for_itself
    extra_checks: tuple[ClaimCheck, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.issuer:
            raise ValueError("issuer is required")
        if self.tenant_claim is not None and not self.tenant_claim:
            raise ValueError("tenant_claim must be a claim name or None")
        if not self.algorithms or not self.algorithms <= ASYMMETRIC_ALGORITHMS:
            raise ValueError(f"algorithms must be a non-empty subset of {sorted(ASYMMETRIC_ALGORITHMS)}")
        if not 0 <= self.leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway must be between 0 and {MAX_LEEWAY_SECONDS} seconds")
        if not self.audience and self.audience_check is None:
            raise ValueError("audience is required (or, for tokens that carry it elsewhere, an audience_check)")
        if self.audience and self.audience_check is not None:
            raise ValueError("audience and audience_check exclude each other")


class JwtVerifier:
    """Implements the application's TokenVerifier port for one issuer."""

    def __init__(
        self,
        policy: VerificationPolicy,
        keys: KeyStore,
        *,
        cache: VerifiedTokenCache | None = None,
        is_revoked: Callable[[Mapping[str, Any]], bool] | None = None,
    ) -> None:
        self.policy = policy
        self.keys = keys
        self.cache = cache if cache is not None else VerifiedTokenCache()
        self._is_revoked = is_revoked

    def cached(self, token: str) -> Principal | None:
        return self.cache.get(token_digest(token))

    async def verify(self, token: str) -> Principal:
        digest = token_digest(token)
        principal = self.cache.get(digest)
        if principal is not None:
            return principal
        return await self.verify_uncached(token, digest)

    async def verify_uncached(self, token: str, digest: bytes) -> Principal:
        header = self._check_header(token)
        kid: str = header["kid"]
        key, should_fetch = self.keys.lookup(kid)
        if should_fetch:
            # The only blocking step (network or Secrets Manager) runs in a worker thread.
            key = await asyncio.to_thread(self.keys.fetch, kid)
        return self._finish(token, digest, header, key)

    def verify_sync(self, token: str) -> Principal:
        """Blocking variant for synchronous callers (the Lambda authorizer)."""
        digest = token_digest(token)
        principal = self.cache.get(digest)
        if principal is not None:
            return principal
        return self.verify_uncached_sync(token, digest)

    def verify_uncached_sync(self, token: str, digest: bytes) -> Principal:
        header = self._check_header(token)
        kid: str = header["kid"]
        key, should_fetch = self.keys.lookup(kid)
        if should_fetch:
            key = self.keys.fetch(kid)
        return self._finish(token, digest, header, key)

    def _finish(self, token: str, digest: bytes, header: Mapping[str, Any], key: VerificationKey | None) -> Principal:
        if key is None:
            if not self.keys.warm:
                # Cold cache while fetches back off after a failure: the keys are unavailable
                # (503, retryable), not the token unknown (401).
                raise KeysUnavailableError("no verification keys available")
            raise reject(Reason.UNKNOWN_KID)
        alg: str = header["alg"]
        if not key.allows(alg):
            raise reject(Reason.KEY_MISMATCH)
        claims = self._decode(token, key, header)
        principal = self._principal(claims)
        jti = claims.get("jti")
        self.cache.put(
            digest, principal, exp=float(claims["exp"]), kid=key.kid, jti=jti if isinstance(jti, str) else None
        )
        return principal

    def _check_header(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise reject(Reason.HEADER_TOO_LARGE)
        parts = token.split(".")
        if len(parts) != 3:
            raise reject(Reason.MALFORMED, "segments")
        if not all(_SEGMENT.fullmatch(part) for part in parts):
            raise reject(Reason.MALFORMED, "encoding")
        try:
            header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
        except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
            raise reject(Reason.MALFORMED, "header_json") from None
        if not isinstance(header, dict):
            raise reject(Reason.MALFORMED, "header_json")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.policy.algorithms:
            raise reject(Reason.DISALLOWED_ALG)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
            raise reject(Reason.INVALID_KID)
        for name in FORBIDDEN_HEADERS:
            if name in header:
                raise reject(Reason.FORBIDDEN_HEADER, f"header_{name}")
        return header

    def _decode(self, token: str, key: VerificationKey, header: Mapping[str, Any]) -> dict[str, Any]:
        policy = self.policy
        alg: str = header["alg"]
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                issuer=policy.issuer,
                audience=policy.audience,
                leeway=policy.leeway_seconds,
                options={"require": list(policy.required_claims), "verify_aud": policy.audience is not None},
            )
        except (jwt.PyJWTError, ValueError, TypeError, RecursionError) as exc:
            reason = next((r for kind, r in _PYJWT_REASONS if isinstance(exc, kind)), Reason.INVALID_CLAIM)
            raise reject(reason, type(exc).__name__) from None
        _check_claim_types(claims)
        if claims.get("iss") != policy.issuer:
            raise reject(Reason.WRONG_ISSUER)
        if not claims.get("sub"):
            raise reject(Reason.INVALID_CLAIM, "sub")
        if policy.audience_check is not None:
            _apply(policy.audience_check, claims)
        _check_token_type(header, claims, policy.typ_rule)
        for check in policy.extra_checks:
            _apply(check, claims)
        if self._is_revoked is not None and self._is_revoked(claims):
            raise reject(Reason.REVOKED)
        return claims

    def _principal(self, claims: Mapping[str, Any]) -> Principal:
        policy = self.policy
        tenant: str | None = None
        if policy.tenant_claim is not None:
            value = claims.get(policy.tenant_claim)
            if value is None:
                raise reject(Reason.MISSING_CLAIM, "tenant")
            if not isinstance(value, str) or not value or len(value) > MAX_TENANT_LENGTH:
                raise reject(Reason.INVALID_CLAIM, "tenant")
            tenant = value
        return Principal(
            subject=claims["sub"],
            roles=frozenset(_strings(claims.get(policy.roles_claim))),
            scopes=frozenset(_scopes(claims, policy.scope_prefix)),
            tenant=tenant,
            machine=policy.machine_rule(claims),
        )


def _is_numeric_date(value: Any) -> bool:
    # bool is an int subclass; NaN fails every comparison, so it is refused too.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return -MAX_NUMERIC_DATE < value < MAX_NUMERIC_DATE


def _check_claim_types(claims: Mapping[str, Any]) -> None:
    """RFC 7519 §2, §4.1: NumericDate claims are JSON numbers, the others strings (`aud`: or a list of them)."""
    for name in _NUMERIC_DATES:
        if name in claims and not _is_numeric_date(claims[name]):
            raise reject(Reason.MALFORMED, f"{name}_type")
    for name in _STRING_CLAIMS:
        if name in claims and not isinstance(claims[name], str):
            raise reject(Reason.MALFORMED, f"{name}_type")
    if "aud" in claims:
        aud = claims["aud"]
        if not (isinstance(aud, str) or (isinstance(aud, list) and all(isinstance(item, str) for item in aud))):
            raise reject(Reason.MALFORMED, "aud_type")


def _media_type(value: Any) -> str | None:
    """The `typ` header compared as RFC 7515 §4.1.9 says: case-insensitive, `application/` optional."""
    if value is None:
        return None
    if not isinstance(value, str):
        return ""
    lowered = value.lower()
    return lowered.removeprefix("application/")


def _check_token_type(header: Mapping[str, Any], claims: Mapping[str, Any], rule: TypRule) -> None:
    if rule == "any":
        return
    typ = _media_type(header.get("typ"))
    if typ == "at+jwt":
        return
    if rule == "at+jwt":
        raise reject(Reason.WRONG_TOKEN_USE, "typ")
    if typ not in (None, "jwt"):
        raise reject(Reason.WRONG_TOKEN_USE, "typ")  # an ID token, logout token, DPoP proof, ...
    if any(name in claims for name in ID_TOKEN_CLAIMS):
        raise reject(Reason.WRONG_TOKEN_USE, "id_token_claims")


def _apply(check: ClaimCheck, claims: Mapping[str, Any]) -> None:
    if (failure := check(claims)) is not None:
        raise reject(failure, check.__name__)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return (item for item in value if isinstance(item, str))
    return ()


def _scopes(claims: Mapping[str, Any], prefix: str) -> Iterable[str]:
    # "scope" is a space-separated string (RFC 8693, Cognito); "scp" a list (Okta, Entra).
    for scope in (*_strings(claims.get("scope")), *_strings(claims.get("scp"))):
        yield scope.removeprefix(prefix) if prefix else scope


def reject(reason: AuthFailureReason, detail: str | None = None) -> InvalidTokenError:
    """The error to raise; `detail` is a fixed code (never token content) for the log line only."""
    detail = detail or reason.value
    logger.info("bearer token rejected", extra={"reason": reason.value, "detail": detail})
    return InvalidTokenError(reason, detail)
