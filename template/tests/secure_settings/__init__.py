"""The smallest settings each part of this project needs before a deployed environment accepts it.

One module per part that adds a requirement (brought with its option), each with `DEPLOYED`
(dev, staging and prod) and/or `PROD` (prod only): tests/conftest.py merges what is here
into SECURE_DEPLOYED and SECURE_PROD, so no shared file names an option.
"""

from __future__ import annotations

import importlib
import pkgutil


def required(scope: str) -> dict[str, object]:
    """The `scope` ("DEPLOYED" or "PROD") settings of every module beside this file, merged."""
    merged: dict[str, object] = {}
    for module in pkgutil.iter_modules(__path__):
        merged |= getattr(importlib.import_module(f"{__name__}.{module.name}"), scope, {})
    return merged
