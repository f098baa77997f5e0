"""Revoked access-token ids: shared through the database, checked on the request path from a local copy."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ....application.issued_tokens import AccessTokenRevocationStore, RevocationsUnavailableError

logger = logging.getLogger(__name__)


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
