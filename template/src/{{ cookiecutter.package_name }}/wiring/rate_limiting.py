"""rate_limiting: every request counted once (per principal when known, else per IP); 429 with Retry-After."""

from __future__ import annotations

from ..presentation.auth import public_paths
from ..presentation.rate_limit import PrincipalRateLimit, build_rate_limits, rate_limit_guard
from . import Builder


def wire(builder: Builder) -> None:
    builder.rate_limited_operations = True

    # At build time: the store's URI may be a secret to read, and the guard skips every public router's paths.
    def install() -> None:
        limits = build_rate_limits(builder.settings, listeners=(builder.rate_limited,))
        builder.auth_observers.append(PrincipalRateLimit(limits))
        known_caller = builder.token_verifier.cached
        builder.guards.append(rate_limit_guard(limits, known_caller, public_paths(builder.public_routers)))

    builder.when_built(install)
