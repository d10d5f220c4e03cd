"""`confab demo` (behind `just demo`) on an empty server of its own: idempotent, and says what existed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import httpx
import pytest

from confab.db.schema import upgrade
from tests.conftest import free_port, make_settings
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.processes import BackendProcess, environment_for

DEMO_PASSWORDS = {"alice": "wonderland", "bob": "bob-the-builder", "charlie": "chocolate-factory"}


@pytest.fixture(scope="module")
async def empty_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BackendProcess]:
    """A backend on a database of its own: the demo's nicknames must not meet other tests' users."""
    postgres_url = os.environ.get("TEST_POSTGRES_URL")
    on_postgres = os.environ.get("CONFAB_TEST_DATABASE") == "postgres" and postgres_url
    if on_postgres:
        database_url = await asyncio.to_thread(create_postgres_database, postgres_url)
    else:
        database_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('demo') / 'confab.db'}"
    settings = make_settings(database_url)
    await asyncio.to_thread(upgrade, settings)
    # Room for exactly one demo's sign-ups: re-runs must log in, not sign up again. (The test itself logs in a lot.)
    environment = environment_for(
        settings, RATE_LIMITS="on", RATE_LIMIT_SIGNUP="3/hour", RATE_LIMIT_LOGIN="1000/minute"
    )
    backend = await BackendProcess(environment, free_port()).start()
    try:
        yield backend
    finally:
        await backend.stop()
        if on_postgres:
            await asyncio.to_thread(drop_postgres_database, postgres_url, database_url)


async def log_in(http: httpx.AsyncClient, nickname: str) -> dict[str, str]:
    granted = await http.post("/api/auth/token", json={"nickname": nickname, "password": DEMO_PASSWORDS[nickname]})
    assert granted.status_code == 200, granted.text
    return {"Authorization": f"Bearer {granted.json()['access_token']}"}


async def everything_visible(http: httpx.AsyncClient) -> dict[str, list[dict]]:
    """Each demo user's DMs and room messages, as the API shows them."""
    seen: dict[str, list[dict]] = {}
    for nickname in DEMO_PASSWORDS:
        headers = await log_in(http, nickname)
        messages = (await http.get("/api/messages", headers=headers, params={"limit": 200})).json()
        for room in (await http.get("/api/rooms", headers=headers)).json():
            messages += (await http.get(f"/api/rooms/{room['id']}/messages", headers=headers)).json()
        seen[nickname] = messages
    return seen


async def test_demo_fills_once_and_a_second_run_only_says_what_exists(confab, empty_server):
    first = await confab("demo", "--url", empty_server.url)
    assert first.exit_code == 0, first.stderr
    assert "created: user alice" in first.lines
    assert "created: room general with alice, bob and charlie" in first.lines
    for nickname, password in DEMO_PASSWORDS.items():
        assert f"  {nickname:<8} {password}" in first.lines

    async with httpx.AsyncClient(base_url=empty_server.url) as http:
        before = await everything_visible(http)
        contents = {nickname: [message["content"] for message in seen] for nickname, seen in before.items()}
        assert contents["alice"][:2] == ["trois petits chats", "chapeau de paille"]
        assert "not visible by 1" not in contents["alice"]
        assert "not visible by 1" in contents["charlie"]
        rooms = (await http.get("/api/rooms", headers=await log_in(http, "bob"))).json()
        assert [(room["name"], len(room["members"])) for room in rooms] == [("general", 3)]

        second = await confab("demo", "--url", empty_server.url)
        assert second.exit_code == 0, second.stderr
        assert not [line for line in second.lines if line.startswith("created:")]
        assert "already exists: user alice" in second.lines
        assert "already exists: room general" in second.lines
        assert "already exists: message alice -> bob 'trois petits chats'" in second.lines
        assert "Nothing to do: the demo data was already there." in second.lines
        assert await everything_visible(http) == before


async def test_demo_message_adds_a_new_message_to_alice_each_time(confab, empty_server):
    assert (await confab("demo", "--url", empty_server.url)).exit_code == 0
    async with httpx.AsyncClient(base_url=empty_server.url) as http:
        alice = await log_in(http, "alice")
        before = (await http.get("/api/messages", headers=alice, params={"limit": 200})).json()
        for _ in range(2):
            sent = await confab("demo-message", "--url", empty_server.url)
            assert sent.exit_code == 0, sent.stderr
            assert sent.stdout.startswith("charlie -> alice #")
        after = (await http.get("/api/messages", headers=alice, params={"limit": 200})).json()
    new = after[len(before) :]
    assert [(message["author"]["nickname"], message["recipient"]["nickname"]) for message in new] == [
        ("charlie", "alice"),
        ("charlie", "alice"),
    ]
    assert new[0]["id"] != new[1]["id"]


async def test_demo_without_a_server_says_how_to_start_one(confab):
    result = await confab("demo", "--url", f"http://127.0.0.1:{free_port()}")
    assert result.exit_code == 3
    assert "just dev" in result.stderr
