"""Who is calling and what they may do; use cases check permissions themselves."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import PermissionDeniedError


class Permission(enum.StrEnum):
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    CUSTOMERS_DELETE = "customers:delete"


ROLE_PERMISSIONS: Mapping[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "support": frozenset({Permission.CUSTOMERS_READ, Permission.CUSTOMERS_WRITE}),
    "viewer": frozenset({Permission.CUSTOMERS_READ}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    roles: frozenset[str]
    scopes: frozenset[str]
    tenant: str | None

    @property
    def permissions(self) -> frozenset[Permission]:
        """Permissions granted by roles, plus scopes that name a permission directly."""
        granted: set[Permission] = set()
        for role in self.roles:
            granted |= ROLE_PERMISSIONS.get(role, frozenset())
        granted |= {permission for permission in Permission if permission.value in self.scopes}
        return frozenset(granted)


def require(principal: Principal, permission: Permission) -> None:
    if permission not in principal.permissions:
        raise PermissionDeniedError(permission.value)
