"""The base of an optional module's settings: its fields and its own insecure-configuration check.

The service's Settings (settings.py) derives from the settings class of every module
the project has and runs each module's check; a module never edits the service's
settings to add a field or a rule.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings


class ModuleSettings(BaseSettings):
    def insecure_module_settings(self, *, production: bool) -> list[str]:
        """Each setting of this module that would weaken a deployed (or the production) environment, with why."""
        return []


def insecure_settings_of_modules(settings: BaseSettings, *, production: bool) -> list[str]:
    """Every module's own check, each run once whatever the order of the bases (none relies on super())."""
    return [
        problem
        for base in type(settings).__mro__
        if issubclass(base, ModuleSettings) and "insecure_module_settings" in vars(base)
        for problem in vars(base)["insecure_module_settings"](settings, production=production)
    ]
