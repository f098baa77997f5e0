"""auth_provider=self_issued: the OAuth token, revocation and JWKS endpoints, served without bearer authentication."""

from __future__ import annotations

from ..application.issued_tokens import TokenIssuer
from ..infrastructure.auth import TokenVerifiers
from ..infrastructure.auth.token_issuer.token_service import TokenService
from ..presentation.token_endpoint import token_router
from . import Builder


def wire(builder: Builder) -> None:
    def issuer() -> TokenIssuer | None:
        # The service behind the self-issued verifier; none when a test replaced the verifier.
        verifier = builder.token_verifier
        service = verifier.token_service if isinstance(verifier, TokenVerifiers) else None
        return service if isinstance(service, TokenService) else None

    # Registered now, bound at the first request: the rate-limit guard reads these paths when it is built.
    builder.public_routers.append(token_router(issuer))
