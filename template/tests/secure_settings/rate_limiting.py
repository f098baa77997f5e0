"""rate_limiting: prod shares its counters through a Redis store, not each process's memory."""

PROD: dict[str, object] = {"rate_limit_storage_uri": "async+redis://cache.internal:6379"}
