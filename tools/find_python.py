"""Print the path of a working interpreter for a Python version (default 3.12).

`python3.12` may be missing from PATH (or be a pyenv shim for a version that
is installed but not selected); this looks in the usual install folders too.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from matrix_env import find_python  # noqa: E402

if __name__ == "__main__":
    try:
        print(find_python(sys.argv[1] if len(sys.argv) > 1 else "3.12"))
    except RuntimeError as error:
        print(error, file=sys.stderr)
        raise SystemExit(1) from None
