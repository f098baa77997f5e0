"""An external OIDC provider: nothing to deploy, the issuer and audience reach the app as settings."""

from __future__ import annotations

from stacks.wiring import Runtime, Wiring


class OidcIdentity(Wiring):
    def __init__(self, *, issuer: str, audience: str) -> None:
        if not issuer.startswith("https://"):
            raise ValueError(f"the OIDC issuer must be an https:// URL, not {issuer!r}")
        self.issuer = issuer
        self.audience = audience
        self.jwt_issuer = issuer
        self.jwt_audiences = (audience,)

    def wire(self, service: Runtime) -> None:
        service.set("AUTH_ISSUER", self.issuer)
        service.set("AUTH_AUDIENCE", self.audience)
