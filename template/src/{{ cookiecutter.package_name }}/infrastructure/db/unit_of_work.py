"""A transaction per use case; database failures become application errors without SQL in them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from ...application.errors import EmailAlreadyRegisteredError, StorageUnavailableError
from .customer_rows import CustomerRowMapper
from .repository import SqlCustomerRepository

logger = logging.getLogger(__name__)


class SqlUnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tenant: str | None,
        rows: CustomerRowMapper,
        *,
        read_only: bool = False,
    ) -> None:
        self._sessions = sessions
        self._tenant = tenant
        self._rows = rows
        self._read_only = read_only
        self._session: AsyncSession | None = None
        self._customers: SqlCustomerRepository | None = None

    @property
    def customers(self) -> SqlCustomerRepository:
        if self._customers is None:
            raise RuntimeError("repositories are only available inside the unit of work block")
        return self._customers

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._customers = SqlCustomerRepository(self._session, self._tenant, self._rows)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session, self._customers = self._session, None, None
        if session is None:
            return
        try:
            # close() rolls back whatever was not committed and returns the connection to the pool.
            await session.close()
        except (DBAPIError, OSError, TimeoutError):
            logger.warning("could not release a database session cleanly", exc_info=True)
        if exc is not None:
            _translate(exc)

    async def commit(self) -> None:
        if self._session is None:
            raise RuntimeError("commit() outside the unit of work block")
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        await self._session.commit()


def _translate(exc: BaseException) -> None:
    """Re-raise storage failures as application errors; the original stays in the log only."""
    if isinstance(exc, IntegrityError):
        # The unique index on (tenant, lower(email)) is the only constraint a caller can break.
        raise EmailAlreadyRegisteredError from exc
    if isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        logger.error("database unavailable: %s", type(exc).__name__)
        raise StorageUnavailableError from exc


class ReadOnlySession(Session):
    """Refuses to write: its statements autocommit one by one, so a write would be neither atomic nor undone."""

    def flush(self, objects: Sequence[Any] | None = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise RuntimeError("a read-only unit of work cannot write")
        super().flush(objects)


class SqlUnitOfWorkFactory:
    """Opens units of work whose repositories store customers through `rows` (plain or sealed columns).

    A read-only unit runs its statements in autocommit: the driver sends no BEGIN and no
    ROLLBACK, so a read by id is one round trip. A unit that writes keeps one transaction.
    """

    def __init__(self, engine: AsyncEngine, rows: CustomerRowMapper) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._reads = async_sessionmaker(
            engine.execution_options(isolation_level="AUTOCOMMIT"),
            sync_session_class=ReadOnlySession,
            expire_on_commit=False,
        )
        self._rows = rows

    def __call__(self, tenant: str | None, *, read_only: bool = False) -> SqlUnitOfWork:
        if read_only:
            return SqlUnitOfWork(self._reads, tenant, self._rows, read_only=True)
        return SqlUnitOfWork(self._sessions, tenant, self._rows)
