"""A throwaway PostgreSQL server for the test session, or the one in TEST_DATABASE_URL.

initdb refuses to run as root, so as root the server runs as the `postgres`
system user in a temporary directory it owns. Ports are picked free so several
projects' suites can start servers in parallel.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

START_ATTEMPTS = 3


def find_binaries() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL is unavailable: {reason}")
    pytest.skip(f"PostgreSQL unavailable ({reason}); set TEST_DATABASE_URL or install PostgreSQL server binaries")


@contextmanager
def postgres_url() -> Iterator[str]:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    binaries = find_binaries()
    if binaries is None:
        unavailable("no initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin")
        return
    workdir = Path(tempfile.mkdtemp(prefix="pg-test-"))
    run_as = _unprivileged_prefix(workdir)
    try:
        port = _start(binaries, workdir, run_as)
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run([*run_as, str(binaries / "pg_ctl"), "-D", str(workdir / "data"), "-m", "immediate", "stop"], check=False)
        shutil.rmtree(workdir, ignore_errors=True)


def _unprivileged_prefix(workdir: Path) -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        user = None
    if runuser is None or user is None:
        shutil.rmtree(workdir, ignore_errors=True)
        unavailable("running as root without a 'postgres' user and runuser to drop privileges")
    assert user is not None
    os.chown(workdir, user.pw_uid, user.pw_gid)
    return [str(runuser), "-u", "postgres", "--"]


def _start(binaries: Path, workdir: Path, run_as: list[str]) -> int:
    data = workdir / "data"
    initdb = [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
    if _run([*run_as, *initdb]).returncode != 0:
        unavailable(f"initdb failed, see {workdir}")
    for _ in range(START_ATTEMPTS):
        port = free_port()  # another suite may take it before the server binds: retry
        options = f"-h 127.0.0.1 -p {port} -k {workdir} -F"
        start = [str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(workdir / "log"), "-w", "start"]
        if _run([*run_as, *start]).returncode == 0:
            return port
    unavailable(f"pg_ctl could not start the server, see {workdir / 'log'}")
    raise AssertionError("unreachable")


def _run(command: list[str], *, check: bool = False) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(command, capture_output=True, check=check, timeout=60)  # noqa: S603 - fixed arguments
