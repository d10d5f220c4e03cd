"""Fixtures: one migrated scratch database and one live server (uvicorn on a free port) per test session.

`CONFAB_TEST_DATABASE=postgres` runs the same suite on PostgreSQL (`TEST_POSTGRES_URL`); a database
that was asked for and cannot be reached fails the run, it is never skipped. Tests isolate themselves
by signing up fresh users, as real clients would.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import socket
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
import redis.asyncio
import uvicorn
from litestar import Litestar

import confab.db.engine
from confab.app import create_asgi_app
from confab.db.schema import upgrade
from confab.settings import Settings
from tests.support.accounts import Account, sign_up
from tests.support.databases import create_postgres_database, drop_postgres_database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    kind = os.environ.get("CONFAB_TEST_DATABASE", "sqlite")
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'confab.db'}"
    elif kind == "postgres":
        server_url = os.environ.get("TEST_POSTGRES_URL")
        if not server_url:
            pytest.fail("CONFAB_TEST_DATABASE=postgres needs TEST_POSTGRES_URL")
        url = create_postgres_database(server_url)
        yield url
        drop_postgres_database(server_url, url)
    else:
        pytest.fail(f"unknown CONFAB_TEST_DATABASE={kind!r} (sqlite or postgres)")


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": "test-" + secrets.token_hex(16),
        "password_hash_profile": "CHEAPEST",
        "rate_limits": False,
        "upload_dir": tempfile.mkdtemp(prefix="confab-uploads-"),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def redis_url() -> str:
    """`TEST_REDIS_URL`; unset means the Redis tests were not asked for (skipped, with the reason shown)."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (CI sets it)")
    try:
        asyncio.run(_ping_redis(url))
    except (OSError, redis.RedisError) as error:
        pytest.fail(f"TEST_REDIS_URL={url} was asked for but cannot be reached: {error}")
    return url


async def _ping_redis(url: str) -> None:
    client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=5)
    try:
        await client.ping()
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    migrated = make_settings(database_url)
    upgrade(migrated)
    return migrated


@pytest.fixture
def fresh_settings(tmp_path) -> Iterator[Settings]:
    """A migrated database of its own (of the suite's kind), so a killed or stopped process disturbs nothing else."""
    if os.environ.get("CONFAB_TEST_DATABASE", "sqlite") == "postgres":
        server_url = os.environ.get("TEST_POSTGRES_URL") or pytest.fail("CONFAB_TEST_DATABASE=postgres needs it")
        try:
            url = create_postgres_database(server_url)
        except RuntimeError as error:
            pytest.fail(str(error))
        settings = make_settings(url)
        upgrade(settings)
        yield settings
        drop_postgres_database(server_url, url)
    else:
        settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'confab.db'}")
        upgrade(settings)
        yield settings


@dataclass
class LiveServer:
    url: str
    app: Litestar
    settings: Settings


class RunningServer:
    """uvicorn serving an ASGI app on a free port inside the test's event loop."""

    def __init__(self, asgi_app: object) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(asgi_app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunningServer:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[LiveServer]:
    asgi_app = create_asgi_app(settings)
    async with RunningServer(asgi_app) as running:
        yield LiveServer(url=f"http://127.0.0.1:{running.port}", app=asgi_app.api, settings=settings)


@pytest.fixture
def start_server(settings: Settings) -> Callable[..., AbstractAsyncContextManager[LiveServer]]:
    """Another live server on the session's database, with some settings changed (rate limits, CORS...)."""

    @asynccontextmanager
    async def start(**overrides: object) -> AsyncIterator[LiveServer]:
        changed = dataclasses.replace(settings, **overrides)
        asgi_app = create_asgi_app(changed)
        async with RunningServer(asgi_app) as running:
            yield LiveServer(url=f"http://127.0.0.1:{running.port}", app=asgi_app.api, settings=changed)

    return start


@pytest.fixture
def pool_of_dead_connections(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The PostgreSQL pass only; no idle ping, as when the drop comes right after the pool's last use, and
    dead connections go unnoticed until a statement meets them, as when a rebooted host answers with a reset
    (`tests.support.databases.drop_every_connection` does the dropping)."""
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite has no connection to lose")
    monkeypatch.setattr(confab.db.engine, "IDLE_PING_SECONDS", 3600.0)
    monkeypatch.setattr(confab.db.engine, "closed_by_server", lambda _connection: False)


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def make_user(http: httpx.AsyncClient) -> Callable[..., Awaitable[Account]]:
    async def make(nickname: str | None = None, name: str | None = None) -> Account:
        return await sign_up(http, nickname=nickname, name=name)

    return make


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parents[2]
