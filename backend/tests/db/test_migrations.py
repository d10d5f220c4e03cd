"""The migrations build exactly the schema the models describe, and can be undone and redone."""

from __future__ import annotations

import asyncio
import warnings

from advanced_alchemy.alembic.commands import AlembicCommands
from advanced_alchemy.base import metadata_registry
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
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


async def function_definitions(database_url: str) -> dict[str, str]:
    """The SQL functions the migrations created, as PostgreSQL prints them (none on SQLite)."""
    if not database_url.startswith("postgresql"):
        return {}
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT proname, pg_get_functiondef(oid) FROM pg_proc WHERE proname LIKE 'confab%'")
            )
            return dict(rows.tuples().all())
    finally:
        await engine.dispose()


def named(differences: list) -> list[tuple[str, str]]:
    """Each difference as its kind and the name of what differs (the objects compare by identity)."""
    return [(difference[0], str(getattr(difference[-1], "name", difference[-1]))) for difference in differences]


def test_migrations_downgrade_to_nothing_and_upgrade_again(fresh_settings):
    """On the suite's database kind: on PostgreSQL the migrations also create and replace functions. (There
    the models do not describe the search column, so the schema is compared with its first migration.)"""
    settings = fresh_settings
    first_differences = named(asyncio.run(schema_differences(settings.database_url)))
    first_functions = asyncio.run(function_definitions(settings.database_url))
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    AlembicCommands(sqlalchemy_config=create_database_config(settings, engine=engine)).downgrade(revision="base")
    assert asyncio.run(function_definitions(settings.database_url)) == {}
    upgrade(settings)
    assert named(asyncio.run(schema_differences(settings.database_url))) == first_differences
    assert asyncio.run(function_definitions(settings.database_url)) == first_functions
    if settings.database_url.startswith("sqlite"):
        assert first_differences == []
    else:
        assert "SET plan_cache_mode TO 'force_generic_plan'" in first_functions["confab_write_direct_messages"]
