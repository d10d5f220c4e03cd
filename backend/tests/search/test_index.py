"""The index outside the request path: migration 0007 indexes existing messages, `confab reindex` rebuilds."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from advanced_alchemy.alembic.commands import AlembicCommands
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from confab.db.engine import create_database_config
from confab.db.schema import upgrade
from confab.domain.files.links import FileLinks
from confab.domain.search.service import SearchService
from tests.support.processes import environment_for

CONFAB = str(Path(sys.executable).with_name("confab"))


async def _execute(database_url: str, *statements: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _found(settings, user_id: int, query: str) -> list[int]:
    config = create_database_config(settings)
    try:
        async with config.get_session() as session:
            links = FileLinks(settings.secret_key, settings.file_url_lifetime_seconds)
            page = await SearchService(session, links).search(user_id, query, limit=20, before=None)
            return [result.message.id for result in page.results]
    finally:
        await config.get_engine().dispose()


SEED = [
    "INSERT INTO users (id, name, email, nickname, password_hash, created_at, token_generation) VALUES "
    "(1, 'Ann', 'ann@example.com', 'ann', 'x', '2026-11-27 10:00:00', 0), "
    "(2, 'Ben', 'ben@example.com', 'ben', 'x', '2026-11-27 10:00:00', 0)",
    "INSERT INTO messages (id, content, created_at, author_id, recipient_id, seq, created_seq, deleted) VALUES "
    "(1, 'Déploiement terminé', '2026-11-27 10:00:00', 1, 2, 1, 1, false), "
    "(2, '', '2026-11-27 10:00:01', 2, 1, 2, 2, true)",
]


def test_the_migration_indexes_the_messages_already_there(fresh_settings):
    settings = fresh_settings
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    AlembicCommands(sqlalchemy_config=create_database_config(settings, engine=engine)).downgrade(revision="0006")
    asyncio.run(_execute(settings.database_url, *SEED))
    upgrade(settings)
    assert asyncio.run(_found(settings, 2, "deploiement")) == [1]
    assert asyncio.run(_found(settings, 1, "TERMINE from:ann")) == [1]


def test_confab_reindex_rebuilds_the_index(fresh_settings):
    settings = fresh_settings
    asyncio.run(_execute(settings.database_url, *SEED))
    sqlite = settings.database_url.startswith("sqlite")
    if sqlite:  # an index that lost its entries (the FTS5 table can be emptied on its own)
        asyncio.run(_execute(settings.database_url, "INSERT INTO message_search(message_search) VALUES ('delete-all')"))
        assert asyncio.run(_found(settings, 2, "deploiement")) == []
    done = subprocess.run(
        [CONFAB, "reindex"], env=environment_for(settings), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "search index rebuilt" in done.stderr
    assert asyncio.run(_found(settings, 2, "deploiement")) == [1]
