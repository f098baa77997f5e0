"""Rate-limit counters in a pluggable `limits` store: memory locally, Redis when deployed.

Deployed tasks and Lambda environments each have their own memory, so only a
shared store (ElastiCache for Redis/Valkey, `async+rediss://...`) gives one limit
per client across them; settings refuse memory:// in prod. The sliding-window
counter keeps two counters per key, whatever the limit.

The store's URI carries its auth token, so it is never logged or put in an
error: a bad URI is reported by its scheme alone.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import ConfigurationError, StorageError
from limits.storage import storage_from_string

from .aws_parameters import AwsParameters
from .settings import Settings

logger = logging.getLogger(__name__)

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]{0,31}")


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int = 0


def async_uri(uri: str) -> str:
    return uri if uri.startswith("async+") else f"async+{uri}"


def storage_uri(settings: Settings, parameters: AwsParameters | None = None) -> str:
    """RATE_LIMIT_STORAGE_URI, or the whole value of RATE_LIMIT_STORAGE_SECRET_ID (Lambda has no `secrets`)."""
    secret_id = settings.rate_limit_storage_secret_id
    if secret_id is None:
        return settings.rate_limit_storage_uri.get_secret_value()
    parameters = parameters or AwsParameters(
        region=settings.aws_region, max_age_seconds=settings.parameters_max_age_seconds
    )
    return parameters.secret_string(secret_id)


def scheme_of(uri: str) -> str:
    """The part of a URI that is safe to print: its scheme, if it looks like one."""
    scheme = uri.split("://", 1)[0] if "://" in uri else ""
    return scheme if _SCHEME.fullmatch(scheme) else "(not a URI)"


def create_storage(uri: str, *, timeout_seconds: float = 0.25) -> Storage:
    uri = async_uri(uri)
    try:
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
    except (ConfigurationError, ValueError) as exc:
        # limits and redis-py quote the whole URI, auth token included: keep only the scheme,
        # and drop the original exception so no traceback carries it either.
        message = f"rate-limit store {scheme_of(uri)!r} cannot be used ({type(exc).__name__})"
        raise ValueError(message) from None
    if not isinstance(storage, Storage):
        raise TypeError(f"{scheme_of(uri)!r} is not an asyncio rate-limit store")
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
