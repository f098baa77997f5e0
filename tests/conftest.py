from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from matrix_env import uv_cache_dir
from rendering import isolate_home


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "smoke: the quick selection (default answers, both engines)")
    config.addinivalue_line("markers", "matrix: renders a combination and runs its own checks")
    config.addinivalue_line("markers", "update: copier update between throwaway template releases")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # Every generated project's environment links from the user's uv cache, not one under the isolated HOME.
    os.environ.setdefault("UV_CACHE_DIR", uv_cache_dir())
    isolate_home(Path(config.rootpath) / ".matrix" / "home" / worker)
