"""Apply the database migrations with the service's own settings: the deploy step before new code serves.

`python -m <package>.entrypoints.migrate` reads the same environment as the service (ENVIRONMENT,
DATABASE_*), so it runs as a one-off ECS task or Lambda invocation with the service's configuration.
"""

from __future__ import annotations

import asyncio

from ..infrastructure.db.engine import create_engine
from ..infrastructure.db.migrate import upgrade
from ..infrastructure.settings import Settings


async def migrate(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def main() -> None:
    asyncio.run(migrate(Settings()))


if __name__ == "__main__":
    main()
