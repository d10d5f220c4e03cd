"""The migrations build exactly the schema the models describe, and can be undone and redone."""

from __future__ import annotations

import asyncio
import warnings

from advanced_alchemy.alembic.commands import AlembicCommands
from advanced_alchemy.base import metadata_registry
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

import confab.db.models  # noqa: F401  (registers every table)
from confab.db.engine import create_database_config
from confab.db.schema import upgrade
from confab.domain.search.index import described_by_the_models
from tests.conftest import make_settings


async def schema_differences(database_url: str) -> list:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # expression indexes cannot be reflected on SQLite
                return await connection.run_sync(
                    lambda sync: compare_metadata(
                        MigrationContext.configure(sync, opts={"include_name": described_by_the_models}),
                        metadata_registry.get(None),
                    )
                )
    finally:
        await engine.dispose()


def test_migrated_schema_matches_the_models(tmp_path):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}")
    upgrade(settings)
    differences = asyncio.run(schema_differences(settings.database_url))
    assert differences == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(tmp_path):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'roundtrip.db'}")
    upgrade(settings)
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    AlembicCommands(sqlalchemy_config=create_database_config(settings, engine=engine)).downgrade(revision="base")
    upgrade(settings)
    assert asyncio.run(schema_differences(settings.database_url)) == []
