"""Rate-limit counters in a pluggable `limits` store: memory locally, Redis when deployed.

Deployed tasks and Lambda environments each have their own memory, so only a
shared store (ElastiCache for Redis/Valkey, `async+rediss://...`) gives one limit
per client across them; settings refuse memory:// in prod. The sliding-window
counter keeps two counters per key, whatever the limit.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int = 0


def async_uri(uri: str) -> str:
    return uri if uri.startswith("async+") else f"async+{uri}"


def create_storage(uri: str, *, timeout_seconds: float = 0.25) -> Storage:
    uri = async_uri(uri)
    if uri.startswith(("async+redis", "async+rediss")):
        # redis-py's asyncio client; short timeouts so a slow store cannot stall requests.
        storage = storage_from_string(
            uri,
            implementation="redispy",
            wrap_exceptions=True,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
        )
    else:
        storage = storage_from_string(uri, wrap_exceptions=True)
    if not isinstance(storage, Storage):
        raise TypeError(f"{uri.split(':', 1)[0]} is not an asyncio rate-limit store")
    return storage


class RateLimiter:
    def __init__(self, storage: Storage, *, fail_open: bool = True) -> None:
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._fail_open = fail_open

    @staticmethod
    def parse(limit: str) -> RateLimitItem:
        return parse(limit)

    async def hit(self, item: RateLimitItem, *key: str) -> Decision:
        try:
            if await self._limiter.hit(item, *key):
                return Decision(allowed=True)
            stats = await self._limiter.get_window_stats(item, *key)
        except StorageError:
            logger.warning("rate-limit store unavailable; failing %s", "open" if self._fail_open else "closed")
            return Decision(allowed=self._fail_open, retry_after=0 if self._fail_open else 1)
        return Decision(allowed=False, retry_after=max(1, math.ceil(stats.reset_time - time.time())))
