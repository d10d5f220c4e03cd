"""`confab mentions` against a live server: the messages that mention me, newest first, a page at a time."""

from __future__ import annotations

import json

from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room


async def test_mentions_prints_history_lines_newest_first_and_pages(confab, log_in_as, make_user, server, http):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, bob, name="ops", members=[alice])
    older = await send_dm(http, bob, alice, f"@{alice.nickname} ping")
    newer = await post_to_room(http, bob, room["id"], "@room standup")
    await send_dm(http, bob, alice, "not for the list")
    await log_in_as(alice)

    listed = await confab("mentions", "--url", server.url)
    assert listed.exit_code == 0, listed.stderr
    assert len(listed.lines) == 2
    assert f"#{newer['id']} [ops] {bob.nickname}: @room standup" in listed.lines[0]
    assert f"#{older['id']} {bob.nickname} -> {alice.nickname}: @{alice.nickname} ping" in listed.lines[1]

    page = await confab("mentions", "--url", server.url, "--limit", "1")
    assert len(page.lines) == 1 and f"#{newer['id']} " in page.lines[0]
    assert f"more: add --before {newer['id']}" in page.stderr
    rest = await confab("mentions", "--url", server.url, "--limit", "1", "--before", str(newer["id"]))
    assert len(rest.lines) == 1 and f"#{older['id']} " in rest.lines[0]

    as_json = await confab("mentions", "--url", server.url, "--json")
    api = await http.get("/api/mentions", headers=alice.headers)
    assert json.loads(as_json.stdout) == api.json()

    rooms = await confab("rooms", "--url", server.url)
    assert "1 mentioning me" in rooms.stdout


async def test_mentions_says_when_there_are_none(confab, log_in_as, make_user, server):
    await log_in_as(await make_user())
    nothing = await confab("mentions", "--url", server.url)
    assert (nothing.exit_code, nothing.stdout) == (0, "")
    assert "nobody mentioned you" in nothing.stderr
