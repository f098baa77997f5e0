"""Verification keys: a JWKS cache with rate-limited refetch and stale-on-error.

`KeyStore` keeps the last good key set, whatever its source (a `JwksFetcher`: the
provider's HTTPS endpoint, a Secrets Manager secret, an in-memory key ring). Lookups
are non-blocking; when a key is missing or the set is stale, the caller runs `fetch()`
in a worker thread (the event loop never blocks on the network). Fetches are single-flight, an unknown
`kid` forces at most one refetch per cooldown, and failures back off. If the
endpoint is down the last good keys keep working; with no keys at all the
caller gets `KeysUnavailableError` (answered as 503, never 500).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jwt import PyJWK
from jwt.exceptions import PyJWKError, PyJWTError

from ...application.errors import AuthenticationUnavailableError

logger = logging.getLogger(__name__)

MAX_KID_LENGTH = 256
MAX_KEYS = 50

JwksFetcher = Callable[[], Mapping[str, Any]]


class KeysUnavailableError(AuthenticationUnavailableError):
    """No verification keys are known and the key endpoint cannot be reached."""


@dataclass(frozen=True, slots=True)
class VerificationKey:
    kid: str
    kty: str
    alg: str | None
    use: str | None
    key_ops: tuple[str, ...] | None
    key: Any  # a cryptography public key object

    def allows(self, alg: str) -> bool:
        """The JWK's own `alg`/`use`/`key_ops`/`kty` must fit the token's algorithm."""
        if self.use not in (None, "sig"):
            return False
        if self.key_ops is not None and "verify" not in self.key_ops:
            return False
        if self.alg is not None and self.alg != alg:
            return False
        return _KTY_FOR_ALG_PREFIX.get(alg[:2]) == self.kty


_KTY_FOR_ALG_PREFIX = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}


def parse_jwks(data: Mapping[str, Any]) -> dict[str, VerificationKey]:
    """Public signing keys by kid; private, symmetric, malformed and kid-less keys are skipped."""
    raw_keys = data.get("keys")
    if not isinstance(raw_keys, list):
        raise ValueError("JWKS document has no 'keys' list")
    keys: dict[str, VerificationKey] = {}
    for raw in raw_keys[:MAX_KEYS]:
        if not isinstance(raw, dict):
            continue
        kid, kty = raw.get("kid"), raw.get("kty")
        if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH or kty not in ("RSA", "EC", "OKP"):
            continue
        if "d" in raw or kid in keys:  # a private key never belongs in a JWKS; duplicates are ambiguous
            continue
        alg, use, ops = raw.get("alg"), raw.get("use"), raw.get("key_ops")
        if not isinstance(alg, str | None) or not isinstance(use, str | None):
            continue
        if ops is not None and not (isinstance(ops, list) and all(isinstance(op, str) for op in ops)):
            continue
        try:
            jwk = PyJWK(raw)
        except (PyJWKError, PyJWTError, ValueError, TypeError, KeyError):
            continue
        keys[kid] = VerificationKey(kid, kty, alg, use, tuple(ops) if ops is not None else None, jwk.key)
    return keys


class KeyStore:
    def __init__(
        self,
        fetcher: JwksFetcher,
        *,
        lifespan_seconds: float = 300.0,
        cooldown_seconds: float = 30.0,
        failure_backoff_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        on_keys_removed: Callable[[set[str]], None] | None = None,
    ) -> None:
        self._fetcher = fetcher
        self._lifespan = lifespan_seconds
        self._cooldown = cooldown_seconds
        self._backoff = failure_backoff_seconds
        self._clock = clock
        self._on_keys_removed = on_keys_removed
        self._keys: dict[str, VerificationKey] = {}
        self._fetched_at: float | None = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()
        self.fetch_count = 0

    @property
    def warm(self) -> bool:
        return bool(self._keys)

    def lookup(self, kid: str) -> tuple[VerificationKey | None, bool]:
        """(key, should_fetch) without blocking; fetch only when it may actually happen."""
        key = self._keys.get(kid)
        now = self._clock()
        if key is not None and self._fetched_at is not None and now - self._fetched_at < self._lifespan:
            return key, False
        return key, self._may_fetch(now, known=key is not None)

    def fetch(self, kid: str | None = None) -> VerificationKey | None:
        """Blocking; refresh the set if allowed, then look `kid` up. Run it off the event loop."""
        with self._lock:
            now = self._clock()
            key = self._keys.get(kid) if kid is not None else None
            fresh = self._fetched_at is not None and now - self._fetched_at < self._lifespan
            if (key is not None and fresh) or not self._may_fetch(now, known=key is not None):
                return self._known_or_unavailable(key)
            self.fetch_count += 1
            try:
                new_keys = parse_jwks(self._fetcher())
            except Exception as exc:  # noqa: BLE001 - any fetch or parse failure keeps the last good keys
                logger.warning("verification key fetch failed: %s", type(exc).__name__)
                self._failed_at = self._clock()
                return self._known_or_unavailable(key)
            self._failed_at = None
            removed = set(self._keys) - set(new_keys)
            self._keys = new_keys
            self._fetched_at = self._clock()
        if removed and self._on_keys_removed is not None:
            self._on_keys_removed(removed)
        return new_keys.get(kid) if kid is not None else None

    def _known_or_unavailable(self, key: VerificationKey | None) -> VerificationKey | None:
        if key is None and not self._keys:
            raise KeysUnavailableError("no verification keys available")
        return key

    def _may_fetch(self, now: float, *, known: bool) -> bool:
        if self._failed_at is not None and now - self._failed_at < self._backoff:
            return False  # the endpoint just failed: back off instead of queueing requests on it
        if self._fetched_at is None or known:
            return True  # cold, or stale and due for a refresh
        # Unknown kid with a fresh set: at most one forced refetch per cooldown.
        return now - self._fetched_at >= self._cooldown
