"""Where the service runs: a leaf module, so every settings class can name it without import cycles."""

from __future__ import annotations

import enum


class Environment(enum.StrEnum):
    LOCAL = "local"
    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"
