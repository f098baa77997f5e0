"""A bounded cache of tokens that already passed full verification.

Verifying an RS256 token costs far more than the rest of an authenticated
request, and a client sends the same access token many times. An entry is
keyed by the SHA-256 of the token (the raw token is never kept), lives at
most until the token's `exp` and at most `max_ttl_seconds`, and is dropped
when the key that verified it leaves the key set or the token is revoked.
Failed verifications are never cached, so garbage cannot evict good entries.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ...application.security import Principal


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True, slots=True)
class CachedToken:
    principal: Principal
    expires_at: float
    kid: str
    jti: str | None


class VerifiedTokenCache:
    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        max_ttl_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._entries: dict[bytes, CachedToken] = {}
        self._max_entries = max_entries
        self._max_ttl = max_ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, digest: bytes) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if self._clock() >= entry.expires_at:
            self._entries.pop(digest, None)
            return None
        return entry.principal

    def put(self, digest: bytes, principal: Principal, *, exp: float, kid: str, jti: str | None) -> None:
        if self._max_entries <= 0:
            return
        expires_at = min(exp, self._clock() + self._max_ttl)
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._evict()
            self._entries[digest] = CachedToken(principal, expires_at, kid, jti)

    def forget_kids(self, kids: set[str]) -> None:
        """Drop entries verified with keys that were rotated out of the key set."""
        if not kids:
            return
        with self._lock:
            self._entries = {d: e for d, e in self._entries.items() if e.kid not in kids}

    def forget_jti(self, jti: str) -> None:
        with self._lock:
            self._entries = {d: e for d, e in self._entries.items() if e.jti != jti}

    def forget_subject(self, subject: str) -> None:
        with self._lock:
            self._entries = {d: e for d, e in self._entries.items() if e.principal.subject != subject}

    def clear(self) -> None:
        with self._lock:
            self._entries = {}

    def _evict(self) -> None:
        now = self._clock()
        live = {d: e for d, e in self._entries.items() if e.expires_at > now}
        if len(live) >= self._max_entries:
            # Still full of live entries: drop the oldest quarter (dicts keep insertion order).
            drop = max(1, self._max_entries // 4)
            live = dict(list(live.items())[drop:])
        self._entries = live
