"""The pool settings from the environment reach the PostgreSQL engine."""

from __future__ import annotations

from pathlib import Path

from confab.db.engine import create_engine
from confab.settings import Settings


def test_postgres_pool_settings_are_applied() -> None:
    settings = Settings.from_env(
        {
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": "postgresql+asyncpg://confab@db.invalid/confab",
            "DATABASE_POOL_SIZE": "7",
            "DATABASE_MAX_OVERFLOW": "3",
            "DATABASE_POOL_TIMEOUT": "4.5",
        }
    )
    engine = create_engine(settings)  # creating an engine does not connect
    pool = engine.sync_engine.pool
    assert pool.size() == 7
    assert pool._max_overflow == 3
    assert pool._timeout == 4.5
    assert pool._pre_ping is True
    assert engine.sync_engine.hide_parameters is True, "bound values (contents, hashes) stay out of error logs"


def test_sqlite_uses_one_connection_per_worker(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'confab.db'}"
    settings = Settings.from_env({"SECRET_KEY": "test-secret", "DATABASE_URL": url})
    pool = create_engine(settings).sync_engine.pool
    assert pool.size() == 1
    assert pool._max_overflow == 0
