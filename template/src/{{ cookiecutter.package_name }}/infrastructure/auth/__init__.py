"""Token verification; `build_token_verifier` builds the verifiers of the configured provider (providers/)."""

from __future__ import annotations

from .factory import NoTokenVerifierConfiguredError, TokenVerifiers, build_token_verifier

__all__ = ["NoTokenVerifierConfiguredError", "TokenVerifiers", "build_token_verifier"]
