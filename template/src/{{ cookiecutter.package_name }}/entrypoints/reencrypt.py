"""Re-seal every customer row under the active PII key and blind-index key versions.

Rotation: add the new KMS key as a new version (PII_KMS_KEY_IDS), and/or a new
blind-index key to its secret; deploy with PII_ACTIVE_KEY_VERSION (and
PII_BLIND_INDEX_ACTIVE_VERSION) pointing at it; run

    python -m <package>.entrypoints.reencrypt

then remove the old version once this reports nothing left. Reads keep working
with both versions throughout. Each row is opened and re-sealed under its own
tenant, so the tenant binding carries over. Rows are processed in small batches,
each in its own transaction, so the command can be stopped and re-run at any point.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from ..bootstrap import wire
from ..infrastructure.crypto.customer_pii import CustomerPiiCodec, build_codec
from ..infrastructure.db.engine import create_engine
from ..infrastructure.db.sealed_rows import sealed_of, store_sealed
from ..infrastructure.db.tables import CustomerRow
from ..infrastructure.settings import Settings

logger = logging.getLogger(__name__)
KIND = "customer-pii"


async def reencrypt(
    engine: AsyncEngine,
    codec: CustomerPiiCodec,
    *,
    batch_size: int = 200,
    listeners: Iterable[Callable[[str, int], None]] = (),
) -> int:
    """Returns how many rows were re-sealed (soft-deleted ones included); tells `listeners` (KIND, count)."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    done = 0
    last_id = None
    while True:
        async with sessions() as session:
            query = select(CustomerRow).order_by(CustomerRow.id).limit(batch_size).with_for_update()
            if last_id is not None:
                query = query.where(CustomerRow.id > last_id)
            rows = list(await session.scalars(query))
            if not rows:
                break
            last_id = rows[-1].id
            for row in rows:
                if codec.is_current(row.pii_key_version, row.email_index):
                    continue
                record_id = str(row.id)
                opened = codec.open(record_id, sealed_of(row), tenant=row.tenant)
                store_sealed(row, codec.seal(record_id, opened, tenant=row.tenant))
                done += 1
            await session.commit()
    logger.info("re-encrypted %d customer rows", done)
    for listener in listeners:
        listener(KIND, done)
    return done


async def _main() -> int:
    settings = Settings()
    engine = create_engine(settings)
    try:
        return await reencrypt(engine, build_codec(settings), listeners=(wire(settings).key_rotated,))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_main())
