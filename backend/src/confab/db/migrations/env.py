"""Alembic environment: runs confab's migrations on the engine advanced-alchemy hands over."""

import asyncio
import warnings
from typing import TYPE_CHECKING, cast

from advanced_alchemy.base import metadata_registry
from alembic import context
from sqlalchemy.ext.asyncio import AsyncEngine

import confab.db.models  # noqa: F401  (registers every table on the metadata)
from confab.domain.search.index import described_by_the_models

if TYPE_CHECKING:
    from advanced_alchemy.alembic.commands import AlembicCommandConfig
    from sqlalchemy.engine import Connection

config: "AlembicCommandConfig" = context.config  # type: ignore[assignment]

# SQLite batch migrations reflect `users`, whose lower(...) unique indexes SQLAlchemy cannot reflect;
# they are untouched by those migrations, so the warning is noise.
warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")


def run_migrations_offline() -> None:
    context.configure(
        url=config.db_url,
        target_metadata=metadata_registry.get(config.bind_key),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        version_table=config.version_table_name,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: "Connection") -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata_registry.get(config.bind_key),
        version_table=config.version_table_name,
        render_as_batch=True,
        compare_type=True,
        include_name=described_by_the_models,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = cast("AsyncEngine", config.engine)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
