"""Self-issued tokens' administration: `python -m <package>.entrypoints.token_admin --help`.

`rotate-keys` puts a new signing key in front of the ring (the previous one keeps verifying) and
publishes the public keys; `new-client` prints a client secret, once, and its AUTH_CLIENTS entry.
"""

from __future__ import annotations

import argparse
import json

from ..infrastructure.auth.token_issuer.clients import new_client_secret
from ..infrastructure.auth.token_issuer.key_rings import SecretsManagerKeyRing


def main() -> None:
    """Key ring and client administration: `rotate-keys` or `new-client`."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rotate = commands.add_parser("rotate-keys", help="add a new signing key; the previous one keeps verifying")
    rotate.add_argument("--secret-id", required=True, help="the private key ring (AUTH_SIGNING_SECRET_ID)")
    rotate.add_argument(
        "--public-jwks-secret-id", default=None, help="the public keys for the authorizer (AUTH_PUBLIC_JWKS_SECRET_ID)"
    )
    rotate.add_argument("--region", default=None)
    client = commands.add_parser("new-client", help="print a client secret (once) and its AUTH_CLIENTS entry")
    client.add_argument("--client-id", required=True)
    client.add_argument("--role", action="append", default=[], dest="roles")
    client.add_argument("--scope", action="append", default=[], dest="scopes")
    client.add_argument("--tenant", default=None)
    arguments = parser.parse_args()
    if arguments.command == "rotate-keys":
        import boto3  # noqa: PLC0415 - only this command talks to AWS

        ring = SecretsManagerKeyRing(
            boto3.client("secretsmanager", region_name=arguments.region),
            arguments.secret_id,
            public_jwks_secret_id=arguments.public_jwks_secret_id,
        )
        print(f"new signing key {ring.rotate().kid}")  # noqa: T201
        return
    secret, digest = new_client_secret()
    entry = {"client_id": arguments.client_id, "secret_sha256": digest, "roles": arguments.roles}
    entry |= {"scopes": arguments.scopes, "tenant": arguments.tenant}
    print(f"client secret (shown once): {secret}")  # noqa: T201
    print(f"AUTH_CLIENTS entry: {json.dumps(entry)}")  # noqa: T201


if __name__ == "__main__":
    main()
