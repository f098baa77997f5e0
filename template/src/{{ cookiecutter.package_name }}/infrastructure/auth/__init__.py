"""Token verification adapters; `build_token_verifier` picks the ones for the configured provider."""

from __future__ import annotations

from .factory import NoTokenVerifierConfiguredError, TokenVerifiers, build_token_verifier

__all__ = ["NoTokenVerifierConfiguredError", "TokenVerifiers", "build_token_verifier"]
