"""Engine and session configuration shared by the app, the migrations and the benchmarks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from advanced_alchemy.config import AlembicAsyncConfig, AsyncSessionConfig
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from sqlalchemy import event, make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from confab.db.sqlite_inline import connect_inline
from confab.settings import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
# A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out.
IDLE_PING_SECONDS = 5.0
_IDLE_SINCE = "confab_idle_since"


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys on, and BEGIN IMMEDIATE so concurrent writers queue (for the busy timeout), never fail."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def closed_by_server(dbapi_connection: Any) -> bool:
    """Whether asyncpg has already seen the server close this connection (no round trip: a flag it keeps)."""
    return bool(dbapi_connection.driver_connection.is_closed())


def _replace_dead_connections(engine: AsyncEngine) -> None:
    """Replace a pooled connection the server has closed, or one that sat idle longer than `IDLE_PING_SECONDS`
    and fails a ping.

    `pool_pre_ping` pinged on every checkout: three round trips (BEGIN, the ping, ROLLBACK) before each
    transaction, about 4% of a REST send. A database restart closes every connection, and asyncpg notices
    within a moment: such a connection is replaced at checkout, for the cost of reading a flag. One that died
    unnoticed (a rebooted host answers its next packet with a reset) is caught where it is used first (the
    pool then replaces every connection older than that, and the token check, the message writer, login,
    sign-up, the probe and the socket handshake make their first statement once more: `confab.db.reconnect`).
    Idle ones are what firewalls and server timeouts drop silently, and those are pinged here. Either way
    `InvalidatePoolError` makes the pool reconnect, and also replace every older connection.
    """
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if closed_by_server(dbapi_connection):
            raise InvalidatePoolError("the server closed a pooled connection")
        if idle_since is None or time.monotonic() - idle_since <= IDLE_PING_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except (dialect.loaded_dbapi.Error, OSError) as error:  # asyncpg's socket errors come through as they are
            raise InvalidatePoolError(f"an idle connection failed its ping: {error}") from error


def create_engine(settings: Settings) -> AsyncEngine:
    """One engine per process: PostgreSQL gets a pool; SQLite one connection (its writes are serial anyway),
    driven on the event-loop thread (see `sqlite_inline`)."""
    if settings.is_sqlite:
        database = make_url(settings.database_url).database or ":memory:"
        engine = create_async_engine(
            settings.database_url,
            echo=settings.database_echo,
            pool_size=1,
            max_overflow=0,
            pool_timeout=settings.database_pool_timeout,
            async_creator=lambda: connect_inline(database, SQLITE_BUSY_TIMEOUT_SECONDS),
        )
        _configure_sqlite(engine)
        return engine
    engine = create_async_engine(
        settings.database_url,
        echo=settings.database_echo,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout,
        # The connection returned last is handed out first: the busy ones stay warm (no ping), and the few
        # needed only at peaks sit idle, are pinged when next used, and are the ones server timeouts close.
        pool_use_lifo=True,
        pool_recycle=1800,
        # Database errors end up in logs; their bound values would be passwords hashes and message contents.
        hide_parameters=True,
    )
    _replace_dead_connections(engine)
    return engine


def outside_transactions(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, each statement committed on its own: a lone read pays no BEGIN and no COMMIT.

    PostgreSQL only. SQLite's driver here has no autocommit switch, and its transactions begin with
    `BEGIN IMMEDIATE` (see `_configure_sqlite`).
    """
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def create_database_config(settings: Settings, engine: AsyncEngine | None = None) -> SQLAlchemyAsyncConfig:
    """The advanced-alchemy configuration: our engine, sessions that keep loaded objects after commit."""
    return SQLAlchemyAsyncConfig(
        engine_instance=engine or create_engine(settings),
        # confab has no FileObject columns and no query cache: their listeners would run on every commit for nothing.
        session_config=AsyncSessionConfig(expire_on_commit=False, info={"enable_cache_listener": False}),
        enable_file_object_listener=False,
        before_send_handler="autocommit",
        create_all=False,
        alembic_config=AlembicAsyncConfig(
            script_config=str(MIGRATIONS_DIR / "alembic.ini"),
            script_location=str(MIGRATIONS_DIR),
            version_table_name=VERSION_TABLE,
        ),
    )
