"""Print the path of a working interpreter for a Python version (default 3.12).

`python3.12` may be missing from PATH (or be a pyenv shim for a version that
is installed but not selected); this looks in the usual install folders too.
The template's tests import `find_python` from here (tools/ is on pytest's pythonpath).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path


def find_python(version: str) -> str:
    """An interpreter for `version`: on PATH, or in pyenv's or the usual install folders.

    `python3.12` on PATH may be a pyenv shim for a version that is installed but not
    selected (it then fails), so every candidate is probed.
    """
    candidates = [shutil.which(f"python{version}") or ""]
    home = Path.home() if "PYENV_ROOT" not in os.environ else Path(os.environ["PYENV_ROOT"])
    pyenv_root = os.environ.get("PYENV_ROOT", "/root/.pyenv")
    for pattern in (
        os.path.join(pyenv_root, f"versions/{version}*/bin/python{version}"),
        str(home / f".pyenv/versions/{version}*/bin/python{version}"),
        f"/usr/bin/python{version}",
        f"/usr/local/bin/python{version}",
    ):
        candidates.extend(sorted(glob.glob(pattern), reverse=True))
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    raise RuntimeError(
        f"Python {version} is needed to test combinations with python_version={version}; "
        f"install it (for example `uv python install {version}` or `pyenv install {version}`), "
        f"or put a working python{version} on PATH."
    )


if __name__ == "__main__":
    try:
        print(find_python(sys.argv[1] if len(sys.argv) > 1 else "3.12"))
    except RuntimeError as error:
        print(error, file=sys.stderr)
        raise SystemExit(1) from None
