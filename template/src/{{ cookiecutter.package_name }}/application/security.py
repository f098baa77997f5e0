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
    """The verified caller. `machine` is true for a client acting for itself (client credentials).

    A user's scopes are what the client asked for on the user's behalf, not what the user
    is entitled to, so for users they only ever narrow what the roles grant.
    """

    subject: str
    roles: frozenset[str]
    scopes: frozenset[str]
    tenant: str | None
    machine: bool = False

    @property
    def permissions(self) -> frozenset[Permission]:
        """Machine: its roles' permissions plus the permission scopes it was granted.

        User: its roles' permissions, narrowed to the permission scopes of the token when it
        carries any (a token with only `openid profile` keeps what the roles grant).
        """
        granted: set[Permission] = set()
        for role in self.roles:
            granted |= ROLE_PERMISSIONS.get(role, frozenset())
        scoped = {permission for permission in Permission if permission.value in self.scopes}
        if self.machine:
            return frozenset(granted | scoped)
        return frozenset(granted & scoped if scoped else granted)


def require(principal: Principal, permission: Permission) -> None:
    if permission not in principal.permissions:
        raise PermissionDeniedError(permission.value)
