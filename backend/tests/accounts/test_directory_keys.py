"""The directory's keys: filled for existing users by the migration, and searched through an index, not a scan."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from confab.db.schema import upgrade
from confab.domain.accounts.directory import NAME, NICKNAME
from confab.domain.accounts.service import matching_keys_statement
from confab.settings import Settings
from tests.conftest import make_settings
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.plans import query_plan


@pytest.fixture
def scratch_database(tmp_path) -> Iterator[str]:
    """An empty database of the kind this run tests (SQLite file or fresh PostgreSQL database)."""
    if os.environ.get("CONFAB_TEST_DATABASE", "sqlite") == "postgres":
        server_url = os.environ["TEST_POSTGRES_URL"]
        url = create_postgres_database(server_url)
        yield url
        drop_postgres_database(server_url, url)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"


async def run_sql(database_url: str, *statements: str) -> list[list[tuple]]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            results = [await connection.execute(text(statement)) for statement in statements]
            return [list(result.tuples()) if result.returns_rows else [] for result in results]
    finally:
        await engine.dispose()


def test_the_migration_gives_existing_users_their_keys(scratch_database):
    settings = make_settings(scratch_database)
    upgrade(settings, "0004")
    asyncio.run(
        run_sql(
            scratch_database,
            "INSERT INTO users (name, email, nickname, password_hash, created_at, token_generation) VALUES "
            "('José Díaz', 'jose@example.com', 'Jose.D', 'x', CURRENT_TIMESTAMP, 0), "
            "('Ann', 'ann@example.com', 'ann', 'x', CURRENT_TIMESTAMP, 0)",
        )
    )
    upgrade(settings)
    [keys] = asyncio.run(
        run_sql(
            scratch_database,
            "SELECT users.nickname, kind, key FROM directory_keys JOIN users ON users.id = user_id "
            "ORDER BY users.nickname, kind, key",
        )
    )
    assert keys == [
        ("Jose.D", NICKNAME, "jose.d"),
        ("Jose.D", NAME, "diaz"),
        ("Jose.D", NAME, "jose diaz"),
        ("ann", NICKNAME, "ann"),
        ("ann", NAME, "ann"),
    ]


def search_statements() -> dict[str, object]:
    return {
        "nicknames, first page": matching_keys_statement(NICKNAME, "jo", 51),
        "nicknames, next page": matching_keys_statement(NICKNAME, "jo", 51, after=("jo", 3)),
        "names, next page": matching_keys_statement(NAME, "jo", 51, after=("jo x", 4), nickname_prefix="jo"),
    }


@pytest.mark.parametrize("name", list(search_statements()))
async def test_a_search_is_a_range_of_the_keys_index_in_order(settings: Settings, name):
    plan = await query_plan(settings.database_url, search_statements()[name])
    if settings.database_url.startswith("sqlite"):
        assert "SEARCH directory_keys USING COVERING INDEX sqlite_autoindex_directory_keys_1 (kind=? AND" in plan
        assert "key<?" in plan, plan  # both ends of the prefix range bound the index search
        assert "SCAN" not in plan and "TEMP B-TREE" not in plan, plan  # no full scan, no sort
    else:
        assert "Index Only Scan using pk_directory_keys on directory_keys" in plan, plan
        assert "key >= 'jo'::text) AND (key < 'jp'::text)" in plan, plan
        assert "Seq Scan" not in plan and "Sort" not in plan, plan
    if name.startswith("names"):
        assert "ix_directory_keys_user_id_kind_key" in plan, plan
