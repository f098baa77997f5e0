from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from combinations import Combination
from matrix_env import uv_cache_dir
from rendering import isolate_home
from sharding import parse_shard


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "smoke: the quick selection (default answers, both engines)")
    config.addinivalue_line("markers", "matrix: renders a combination and runs its own checks")
    config.addinivalue_line("markers", "update: copier update between throwaway template releases")
    config.addinivalue_line("markers", "bench: the benchmark suite's quick mode (benchmarks/bench.py)")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # Every generated project's environment links from the user's uv cache, not one under the isolated HOME.
    os.environ.setdefault("UV_CACHE_DIR", uv_cache_dir())
    isolate_home(Path(config.rootpath) / ".matrix" / "home" / worker)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """MATRIX_SHARD=i/n keeps the i-th of n parts of the run (tests/sharding.py); CI runs one per runner."""
    shard = parse_shard(os.environ.get("MATRIX_SHARD"))
    if shard is None:
        return
    kept, deselected = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        combination = callspec.params.get("combination") if callspec else None
        if not isinstance(combination, Combination):
            combination = None
        (kept if shard.holds(item.nodeid, combination) else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
