"""Applying migrations, and refusing to serve a database whose schema is behind the code."""

from __future__ import annotations

from advanced_alchemy.alembic.commands import AlembicCommands
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from confab.db.engine import MIGRATIONS_DIR, VERSION_TABLE, create_database_config
from confab.settings import Settings


class SchemaNotCurrentError(RuntimeError):
    """The database has not been migrated to the revision this code expects."""


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Run the migrations up to `revision` (a blocking call: use it outside an event loop)."""
    # Its own engine without foreign-key enforcement: SQLite batch migrations copy tables.
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    AlembicCommands(sqlalchemy_config=create_database_config(settings, engine=engine)).upgrade(revision=revision)


def expected_heads() -> set[str]:
    return set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


async def assert_schema_current(engine: AsyncEngine) -> None:
    """Raise `SchemaNotCurrentError` with the remedy when the database is not at the latest migration."""
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync_connection: set(
                MigrationContext.configure(sync_connection, opts={"version_table": VERSION_TABLE}).get_current_heads()
            )
        )
    expected = expected_heads()
    if current != expected:
        raise SchemaNotCurrentError(
            f"the database schema is at {sorted(current) or 'nothing'} but this code needs {sorted(expected)}: "
            "run `just migrate` (or `confab migrate`) first"
        )
