"""Refresh tokens, their families and access-token revocations in the service's database.

Every instance reads and writes the same rows, so a refresh token rotated on one
instance is spent on all of them, and replaying it anywhere revokes its family.
Only SHA-256 hashes of refresh tokens are stored. Marking a token used is one
conditional UPDATE (`used_at IS NULL` and the presenting client owns the family), so
two instances racing with the same token cannot both rotate it (the second sees a used
token and revokes the family), and a token presented by another client stays unspent.
Expired rows are deleted as new ones are written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ....application.issued_tokens import RefreshFamily, UsedRefreshToken
from ...db.tables import RefreshFamilyRow, RefreshTokenRow, RevokedAccessTokenRow

CLEANUP_INTERVAL_SECONDS = 300.0
_FAMILY_COLUMNS = (
    RefreshFamilyRow.family,
    RefreshFamilyRow.client_id,
    RefreshFamilyRow.subject,
    RefreshFamilyRow.roles,
    RefreshFamilyRow.scopes,
    RefreshFamilyRow.tenant,
    RefreshFamilyRow.expires_at,
    RefreshFamilyRow.revoked_at,
)


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


class SqlRefreshTokenStore:
    """Implements `RefreshTokenStore` on the service's database (PostgreSQL, SQLite locally)."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock
        self._next_cleanup = float("-inf")

    async def start(self, token_hash: str, family: RefreshFamily) -> None:
        now = self._clock()
        async with self._engine.begin() as connection:
            if now >= self._next_cleanup:
                self._next_cleanup = now + CLEANUP_INTERVAL_SECONDS
                await self._delete_expired(connection, now)
            await connection.execute(
                insert(RefreshFamilyRow).values(
                    family=family.family,
                    client_id=family.client_id,
                    subject=family.subject,
                    roles=sorted(family.roles),
                    scopes=sorted(family.scopes),
                    tenant=family.tenant,
                    expires_at=_at(family.expires_at),
                    revoked_at=None,
                )
            )
            await self._insert_token(connection, token_hash, family.family, now)

    async def add(self, token_hash: str, family: str) -> None:
        async with self._engine.begin() as connection:
            await self._insert_token(connection, token_hash, family, self._clock())

    async def use(self, token_hash: str, client_id: str) -> UsedRefreshToken | None:
        owned = select(RefreshFamilyRow.family).where(RefreshFamilyRow.client_id == client_id)
        async with self._engine.begin() as connection:
            marked = await connection.execute(
                update(RefreshTokenRow)
                .where(
                    RefreshTokenRow.token_hash == token_hash,
                    RefreshTokenRow.used_at.is_(None),
                    RefreshTokenRow.family.in_(owned),
                )
                .values(used_at=_at(self._clock()))
            )
            family = await self._family_of(connection, token_hash)
        if family is None or family.client_id != client_id:
            return None
        return UsedRefreshToken(family, already_used=marked.rowcount == 0)

    async def find(self, token_hash: str) -> RefreshFamily | None:
        async with self._engine.connect() as connection:
            return await self._family_of(connection, token_hash)

    async def revoke_family(self, family: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(RefreshFamilyRow)
                .where(RefreshFamilyRow.family == family, RefreshFamilyRow.revoked_at.is_(None))
                .values(revoked_at=_at(self._clock()))
            )

    @staticmethod
    async def _insert_token(connection: AsyncConnection, token_hash: str, family: str, now: float) -> None:
        await connection.execute(
            insert(RefreshTokenRow).values(token_hash=token_hash, family=family, created_at=_at(now), used_at=None)
        )

    @staticmethod
    async def _family_of(connection: AsyncConnection, token_hash: str) -> RefreshFamily | None:
        row = (
            await connection.execute(
                select(*_FAMILY_COLUMNS)
                .join(RefreshTokenRow, RefreshTokenRow.family == RefreshFamilyRow.family)
                .where(RefreshTokenRow.token_hash == token_hash)
            )
        ).first()
        if row is None:
            return None
        return RefreshFamily(
            family=row.family,
            client_id=row.client_id,
            subject=row.subject,
            roles=frozenset(row.roles),
            scopes=frozenset(row.scopes),
            tenant=row.tenant,
            expires_at=row.expires_at.timestamp(),
            revoked=row.revoked_at is not None,
        )

    @staticmethod
    async def _delete_expired(connection: AsyncConnection, now: float) -> None:
        expired = select(RefreshFamilyRow.family).where(RefreshFamilyRow.expires_at <= _at(now))
        await connection.execute(delete(RefreshTokenRow).where(RefreshTokenRow.family.in_(expired)))
        await connection.execute(delete(RefreshFamilyRow).where(RefreshFamilyRow.expires_at <= _at(now)))


class SqlAccessTokenRevocationStore:
    """Implements `AccessTokenRevocationStore`: revoked `jti`s until their token expires."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    async def revoke(self, jti: str, expires_at: float) -> None:
        now = self._clock()
        async with self._engine.begin() as connection:
            await connection.execute(delete(RevokedAccessTokenRow).where(RevokedAccessTokenRow.expires_at <= _at(now)))
            await connection.execute(delete(RevokedAccessTokenRow).where(RevokedAccessTokenRow.jti == jti))
            await connection.execute(
                insert(RevokedAccessTokenRow).values(jti=jti, expires_at=_at(expires_at), revoked_at=_at(now))
            )

    async def active(self) -> dict[str, float]:
        # Only unexpired access tokens (minutes of them), so the whole list stays small.
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(RevokedAccessTokenRow.jti, RevokedAccessTokenRow.expires_at).where(
                    RevokedAccessTokenRow.expires_at > _at(self._clock())
                )
            )
            return {row.jti: row.expires_at.timestamp() for row in rows}
