"""Print a bearer token the locally running service accepts (`make token`).

Only for ENVIRONMENT=local: it signs with the development issuer's key file.
"""

from __future__ import annotations

import argparse

from ..infrastructure.auth.local_issuer import LocalIssuer
from ..infrastructure.environment import Environment
from ..infrastructure.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subject", default="local-developer")
    parser.add_argument("--role", action="append", default=[], dest="roles", help="admin, support or viewer")
    parser.add_argument("--scope", action="append", default=[], dest="scopes")
    parser.add_argument("--tenant", default=None, help="needs AUTH_TENANT_CLAIM, e.g. AUTH_TENANT_CLAIM=tenant")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    arguments = parser.parse_args()
    settings = Settings()
    if settings.environment is not Environment.LOCAL:
        parser.error("development tokens are only for ENVIRONMENT=local")
    if arguments.tenant is not None and not settings.auth_tenant_claim:
        parser.error("--tenant needs AUTH_TENANT_CLAIM (for `make run` too), e.g. AUTH_TENANT_CLAIM=tenant")
    issuer = LocalIssuer.from_settings(settings)
    token = issuer.issue(
        arguments.subject,
        roles=frozenset(arguments.roles or ["admin"]),
        scopes=frozenset(arguments.scopes),
        tenant=arguments.tenant,
        ttl_seconds=arguments.ttl,
    )
    print(token)  # noqa: T201 - the token is this command's output


if __name__ == "__main__":
    main()
