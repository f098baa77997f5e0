"""The service as its own token issuer: RS256 key ring in Secrets Manager, refresh tokens, revocation.

Key ring: one Secrets Manager secret holds `{"keys": [{"kid", "alg", "private_key_pem", "created_at"}]}`,
newest first. `rotate()` puts a new version with a fresh key in front of the current one
and drops anything older, so exactly the current and the previous key verify. A second
secret holds only the public keys (a JWKS document): `rotate()` writes it first, and the
Lambda authorizer reads nothing else, so it never holds a signing key. A new key is
published (/.well-known/jwks.json, the public secret) at once but signs only after an
activation delay, so no instance ever meets a `kid` it has not loaded yet.

Machine clients use the client-credentials grant with a secret whose SHA-256 is
configured (secrets are 256-bit random values, so a fast hash is enough and the
comparison is constant-time). Refresh tokens are opaque random strings stored only
as SHA-256 hashes; each use rotates them, and presenting an already-used one revokes
its whole family. Every refresh issues what the client's entry grants now (roles,
scopes), so a downgraded client cannot keep its old rights; a removed client or one
moved to another tenant gets `invalid_client`/`invalid_grant`. Access tokens are
short-lived and can be revoked by `jti`. Refresh tokens, families and revocations live
in the service's database (token_store.py), so every instance sees the same state; see
`RevokedAccessTokens` for how fast an access token revocation reaches the other instances.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy.exc import SQLAlchemyError

from ...application.errors import AuthenticationUnavailableError, AuthFailureReason
from .verifier import MAX_TENANT_LENGTH

logger = logging.getLogger(__name__)

ALGORITHM = "RS256"
MAX_JTI_LENGTH = 64
KEY_SIZE = 2048
KEYS_KEPT = 2  # current + previous


class TokenGrantError(Exception):
    """An OAuth error (RFC 6749 §5.2): `code` is invalid_client, invalid_grant, ..."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    created_at: int

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


def new_signing_key(now: int | None = None) -> SigningKey:
    created = int(time.time()) if now is None else now
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    return SigningKey(f"{created}-{secrets.token_hex(4)}", key, created)


def _active(keys: list[SigningKey], activation_delay: float) -> SigningKey:
    """The newest key that every instance has had time to publish; the oldest one otherwise."""
    ready = time.time() - activation_delay
    return next((key for key in keys if key.created_at <= ready), keys[-1])


def _serialize(keys: Iterable[SigningKey]) -> str:
    entries = []
    for key in keys:
        pem = key.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        entries.append({"kid": key.kid, "alg": ALGORITHM, "private_key_pem": pem, "created_at": key.created_at})
    return json.dumps({"keys": entries})


def public_jwks_of(keys: Iterable[SigningKey]) -> dict[str, Any]:
    return {"keys": [key.public_jwk() for key in keys]}


def _deserialize(value: str) -> list[SigningKey]:
    keys = []
    for entry in json.loads(value).get("keys", []):
        key = serialization.load_pem_private_key(entry["private_key_pem"].encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey) or entry.get("alg", ALGORITHM) != ALGORITHM:
            raise ValueError("key ring entries must be RS256 RSA keys")
        keys.append(SigningKey(str(entry["kid"]), key, int(entry["created_at"])))
    return keys


class KeyRing(Protocol):
    def signing_key(self) -> SigningKey: ...

    def public_jwks(self) -> dict[str, Any]: ...

    def rotate(self) -> SigningKey: ...


class InMemoryKeyRing:
    """Local runs and tests without Secrets Manager."""

    def __init__(self, keys: list[SigningKey] | None = None, *, activation_delay_seconds: float = 0) -> None:
        self._keys = keys or [new_signing_key()]
        self._delay = activation_delay_seconds

    def signing_key(self) -> SigningKey:
        return _active(self._keys, self._delay)

    def public_jwks(self) -> dict[str, Any]:
        return public_jwks_of(self._keys)

    def rotate(self) -> SigningKey:
        self._keys = [new_signing_key(), *self._keys][:KEYS_KEPT]
        return self._keys[0]


class SecretsManagerKeyRing:
    """The key ring in one Secrets Manager secret, re-read at most every `max_age_seconds`.

    With `public_jwks_secret_id`, `rotate()` also writes the public keys (a JWKS document)
    to that secret, which is all the Lambda authorizer may read.
    """

    def __init__(
        self,
        client: Any,
        secret_id: str,
        *,
        public_jwks_secret_id: str | None = None,
        max_age_seconds: float = 60.0,
        activation_delay_seconds: float = 120.0,
    ) -> None:
        self._client = client
        self._secret_id = secret_id
        self._public_secret_id = public_jwks_secret_id
        self._max_age = max_age_seconds
        # A new key signs only after every instance had time to re-read the ring and
        # publish it (max_age + JWKS caches), so no verifier meets an unknown kid.
        self._delay = activation_delay_seconds
        self._keys: list[SigningKey] = []
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def _current(self) -> list[SigningKey]:
        with self._lock:
            if time.monotonic() - self._loaded_at >= self._max_age or not self._keys:
                value = self._client.get_secret_value(SecretId=self._secret_id)["SecretString"]
                keys = _deserialize(value)
                if not keys:
                    raise ValueError("the signing key ring is empty; run the rotate command once")
                self._keys, self._loaded_at = keys, time.monotonic()
            return self._keys

    def signing_key(self) -> SigningKey:
        return _active(self._current(), self._delay)

    def public_jwks(self) -> dict[str, Any]:
        return public_jwks_of(self._current())

    def rotate(self) -> SigningKey:
        try:
            existing = _deserialize(self._client.get_secret_value(SecretId=self._secret_id)["SecretString"])
        except self._client.exceptions.ResourceNotFoundException:
            existing = []
        except (ValueError, KeyError):
            existing = []
        fresh = new_signing_key()
        keys = [fresh, *existing][:KEYS_KEPT]
        if self._public_secret_id is not None:
            # Public keys first: if the ring write then fails, the new key is published but never
            # signs; the other order could sign with a key the authorizer does not know.
            public = json.dumps(public_jwks_of(keys))
            self._client.put_secret_value(SecretId=self._public_secret_id, SecretString=public)
        self._client.put_secret_value(SecretId=self._secret_id, SecretString=_serialize(keys))
        with self._lock:
            self._keys, self._loaded_at = keys, time.monotonic()
        return fresh


def public_jwks_secret_fetcher(client: Any, secret_id: str) -> Callable[[], Mapping[str, Any]]:
    """Reads the public JWKS secret that `rotate()` writes (the authorizer's only key source)."""

    def fetch() -> Mapping[str, Any]:
        document = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
        if not isinstance(document, dict):
            raise ValueError("the public JWKS secret does not hold a JSON object")
        return document

    return fetch


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    secret_sha256: str
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    tenant: str | None = None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Client:
        """An AUTH_CLIENTS entry; a malformed one stops the service (ValueError) instead of granting oddly."""
        client_id, digest, tenant = raw.get("client_id"), raw.get("secret_sha256"), raw.get("tenant")
        if not isinstance(client_id, str) or not client_id:
            raise ValueError("every AUTH_CLIENTS entry needs a client_id")
        if not isinstance(digest, str) or len(digest) != 64:
            raise ValueError(f"AUTH_CLIENTS entry {client_id!r}: secret_sha256 must be 64 hex characters")
        if tenant is not None and (not isinstance(tenant, str) or not 0 < len(tenant) <= MAX_TENANT_LENGTH):
            raise ValueError(f"AUTH_CLIENTS entry {client_id!r}: tenant must be a string of 1 to 64 characters")
        return cls(
            client_id=client_id,
            secret_sha256=digest.lower(),
            roles=_names(raw.get("roles", []), client_id, "roles"),
            scopes=_names(raw.get("scopes", []), client_id, "scopes"),
            tenant=tenant,
        )

    def secret_matches(self, presented: str) -> bool:
        return hmac.compare_digest(hash_secret(presented), self.secret_sha256)


def _names(value: Any, client_id: str, field: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"AUTH_CLIENTS entry {client_id!r}: {field} must be a list of names")
    return frozenset(value)


def check_tenant_claim(clients: Iterable[Client], tenant_claim: str | None) -> None:
    """Refuse a registry the verifier would misread: tenants need the claim, and the claim needs tenants.

    Without a tenant claim every token reads the tenant-less rows, whatever tenant its client
    was registered with; with one, a token without it is refused.
    """
    for client in clients:
        if tenant_claim is None and client.tenant is not None:
            raise ValueError(
                f"AUTH_CLIENTS entry {client.client_id!r} has a tenant but AUTH_TENANT_CLAIM is not set: "
                "set AUTH_TENANT_CLAIM (e.g. tenant) so that tokens carry and enforce it"
            )
        if tenant_claim is not None and client.tenant is None:
            raise ValueError(
                f"AUTH_CLIENTS entry {client.client_id!r} has no tenant but AUTH_TENANT_CLAIM is set: "
                "every token must name its tenant"
            )


@dataclass(frozen=True, slots=True)
class RefreshFamily:
    """A chain of rotated refresh tokens: whose it is, the tenant it was granted for, until when.

    `roles` and `scopes` record the first grant; every refresh issues the client's current ones.
    """

    family: str
    client_id: str
    subject: str
    roles: frozenset[str]
    scopes: frozenset[str]
    tenant: str | None
    expires_at: float
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class UsedRefreshToken:
    family: RefreshFamily
    already_used: bool  # True: this token was rotated before, so a copy of it is being replayed


class RefreshTokenStore(Protocol):
    """Refresh tokens by SHA-256 hash, in the database every instance shares (token_store.py)."""

    async def start(self, token_hash: str, family: RefreshFamily) -> None:
        """Record a new family and its first token."""
        ...

    async def add(self, token_hash: str, family: str) -> None: ...

    async def use(self, token_hash: str, client_id: str) -> UsedRefreshToken | None:
        """Atomically flag `client_id`'s token used (once, across instances).

        None when unknown or another client's: that token stays unspent, so a client that
        learnt someone else's refresh token cannot burn it (and its owner's family).
        """
        ...

    async def find(self, token_hash: str) -> RefreshFamily | None: ...

    async def revoke_family(self, family: str) -> None: ...


class AccessTokenRevocationStore(Protocol):
    async def revoke(self, jti: str, expires_at: float) -> None: ...

    async def active(self) -> dict[str, float]:
        """Every revoked `jti` whose token has not expired yet, with its `exp`."""
        ...


class RevocationsUnavailableError(AuthenticationUnavailableError):
    """The revocation list has never been read in this process, so no token can be checked against it."""


class RevokedAccessTokens:
    """Revoked access-token ids, shared through a store, with a local copy for the request path.

    Checking a token costs one set lookup, and only on a verified-token cache miss: tokens
    already in the cache are dropped from it (`listeners`) when their revocation is seen.
    Each instance re-reads the unexpired revocations at most every `refresh_seconds`, in
    the background, triggered by a request. A revocation therefore takes effect on the
    instance that received it at once, and on every other instance within
    `refresh_seconds` plus one query. A re-read is merged into the local copy, never put in
    its place: a revocation made here while the read was under way is not lost with the
    older snapshot. Entries leave the copy when their token expires. When the store cannot
    be read, the last copy stays in use and the failure is logged; the next request after
    `refresh_seconds` retries.
    """

    def __init__(
        self,
        store: AccessTokenRevocationStore,
        *,
        refresh_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._wall_clock = wall_clock
        self._revoked: dict[str, float] = {}
        self._next_refresh = float("-inf")
        self._loaded = False
        self._first_read: asyncio.Task[dict[str, float]] | None = None
        self._task: asyncio.Task[None] | None = None
        self.listeners: list[Callable[[str], None]] = []

    def is_revoked(self, claims: Mapping[str, Any]) -> bool:
        return claims.get("jti") in self._revoked

    def refresh_soon(self) -> None:
        """Start a background re-read when the local copy is older than `refresh_seconds`."""
        if self._clock() < self._next_refresh or self._task is not None:
            return
        self._next_refresh = self._clock() + self._refresh_seconds
        task = asyncio.get_running_loop().create_task(self.refresh())
        task.add_done_callback(self._refreshed)
        self._task = task

    def _refreshed(self, task: asyncio.Task[None]) -> None:
        self._task = None

    async def ensure_loaded(self) -> None:
        """Before the first successful read, every caller waits for the same read: no token is checked
        against an empty copy. While that read fails, tokens cannot be checked (503), not waved through."""
        if self._loaded:
            return
        if self._first_read is None or self._first_read.done():
            self._next_refresh = self._clock() + self._refresh_seconds
            self._first_read = asyncio.get_running_loop().create_task(self._store.active())
        try:
            active = await asyncio.shield(self._first_read)
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            logger.warning("could not read access-token revocations; refusing to verify until it can")
            raise RevocationsUnavailableError("access-token revocations cannot be read") from error
        self._merge(active)

    async def refresh(self) -> None:
        self._next_refresh = self._clock() + self._refresh_seconds
        try:
            active = await self._store.active()
        except (SQLAlchemyError, OSError, TimeoutError):
            logger.warning("could not read access-token revocations; keeping the last copy", exc_info=True)
            return
        self._merge(active)

    def _merge(self, active: dict[str, float]) -> None:
        self._loaded = True
        now = self._wall_clock()
        # Read after the await: revocations added meanwhile are part of the copy being merged.
        merged = {jti: exp for jti, exp in self._revoked.items() if exp > now}
        new = active.keys() - merged.keys()
        merged.update(active)
        self._revoked = merged
        for jti in new:
            self._notify(jti)

    async def revoke(self, jti: str, expires_at: float) -> None:
        await self._store.revoke(jti, expires_at)
        self._revoked = {**self._revoked, jti: expires_at}
        self._notify(jti)

    def _notify(self, jti: str) -> None:
        for listener in self.listeners:
            listener(jti)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str


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


def require_access_token(claims: Mapping[str, Any]) -> AuthFailureReason | None:
    """Extra verification rule: only this issuer's access tokens (never another token type)."""
    use = claims.get("token_use")
    return None if use == "access" else AuthFailureReason.WRONG_TOKEN_USE


def new_client_secret() -> tuple[str, str]:
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return secret, hash_secret(secret)


def main() -> None:
    """Key ring and client administration: `rotate-keys` or `new-client`."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rotate = commands.add_parser("rotate-keys", help="add a new signing key; the previous one keeps verifying")
    rotate.add_argument("--secret-id", required=True, help="the private key ring (AUTH_SIGNING_SECRET_ID)")
    rotate.add_argument(
        "--public-jwks-secret-id", default=None, help="the public keys for the authorizer (AUTH_PUBLIC_JWKS_SECRET_ID)"
    )
    rotate.add_argument("--region", default=None)
    client = commands.add_parser("new-client", help="print a client secret (once) and its AUTH_CLIENTS entry")
    client.add_argument("--client-id", required=True)
    client.add_argument("--role", action="append", default=[], dest="roles")
    client.add_argument("--scope", action="append", default=[], dest="scopes")
    client.add_argument("--tenant", default=None)
    arguments = parser.parse_args()
    if arguments.command == "rotate-keys":
        import boto3  # noqa: PLC0415 - only this command talks to AWS

        ring = SecretsManagerKeyRing(
            boto3.client("secretsmanager", region_name=arguments.region),
            arguments.secret_id,
            public_jwks_secret_id=arguments.public_jwks_secret_id,
        )
        print(f"new signing key {ring.rotate().kid}")  # noqa: T201
        return
    secret, digest = new_client_secret()
    entry = {"client_id": arguments.client_id, "secret_sha256": digest, "roles": arguments.roles}
    entry |= {"scopes": arguments.scopes, "tenant": arguments.tenant}
    print(f"client secret (shown once): {secret}")  # noqa: T201
    print(f"AUTH_CLIENTS entry: {json.dumps(entry)}")  # noqa: T201


if __name__ == "__main__":
    main()
