from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from rendering import isolate_home  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "smoke: the quick selection (default answers, both engines)")
    config.addinivalue_line("markers", "matrix: renders a combination and runs its own checks")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    isolate_home(Path(config.rootpath) / ".matrix" / "home" / worker)
