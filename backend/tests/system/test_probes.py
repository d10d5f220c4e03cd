"""Probes and discovery, and refusing to serve an un-migrated database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from litestar.testing import AsyncTestClient

from confab import __version__
from confab.app import create_app
from confab.db.schema import upgrade
from tests.conftest import make_settings


async def test_database_probe_and_version_need_no_token(http):
    assert (await http.get("/db/alive")).json() == {"alive": True}
    version = await http.get("/api/version")
    assert version.json() == {"version": __version__}


async def test_database_probe_is_503_while_the_database_is_gone(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    settings = make_settings(f"sqlite+aiosqlite:///{folder / 'confab.db'}")
    await asyncio.to_thread(upgrade, settings)  # migrations run their own event loop
    app = create_app(settings)
    async with AsyncTestClient(app) as client:
        assert (await client.get("/db/alive")).status_code == 200
        await app.state.database_config.get_engine().dispose()
        folder.rename(tmp_path / "moved")  # the next connection cannot open the file
        response = await client.get("/db/alive")
        assert response.status_code == 503
        assert response.json()["detail"]
        (tmp_path / "moved").rename(folder)
        assert (await client.get("/db/alive")).status_code == 200


async def test_root_points_to_the_docs(http):
    index = (await http.get("/")).json()
    assert index["name"] == "confab"
    assert (await http.get(index["openapi"])).status_code == 200
    assert (await http.get(index["docs"])).status_code == 200


def test_the_server_refuses_to_start_on_an_unmigrated_database(tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}",
        "SECRET_KEY": "test-secret-for-this-process-only",
    }
    finished = subprocess.run(
        [sys.executable, "-m", "uvicorn", "confab.asgi:app", "--port", "0"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode != 0
    assert "just migrate" in finished.stderr
