"""TLS for PostgreSQL connections, passed to asyncpg as an ssl.SSLContext."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Literal


def client_ssl_context(
    mode: Literal["disable", "require", "verify-full"], ca_bundle: Path | None
) -> ssl.SSLContext | None:
    """`verify-full` checks the chain against `ca_bundle` and the host name; `require` only encrypts."""
    if mode == "disable":
        return None
    if mode == "verify-full":
        context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context
    # `require` encrypts but trusts any certificate, like libpq's sslmode=require.
    # Kept for development databases only; prod settings refuse it.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
