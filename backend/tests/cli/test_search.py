"""`confab search` against a live server: the same results as the API, as history lines or JSON."""

from __future__ import annotations

import json
import uuid

from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room


async def test_search_prints_history_lines_newest_first_and_pages(confab, log_in_as, make_user, server, http):
    word = "w" + uuid.uuid4().hex[:10]
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, name=f"ops {word}", members=[bob])
    older = await send_dm(http, bob, alice, f"{word} Déploiement fini")
    newer = await post_to_room(http, bob, room["id"], f"{word} deploy again")
    await log_in_as(alice)

    found = await confab("search", "--url", server.url, f"{word} deplo")
    assert found.exit_code == 0, found.stderr
    assert len(found.lines) == 2
    assert f"#{newer['id']} [ops {word}] {bob.nickname}: {word} deploy again" in found.lines[0]
    assert f"#{older['id']} {bob.nickname} -> {alice.nickname}: {word} Déploiement fini" in found.lines[1]

    page = await confab("search", "--url", server.url, word, "--limit", "1")
    assert len(page.lines) == 1 and f"#{newer['id']} " in page.lines[0]
    assert f"more: add --before {newer['id']}" in page.stderr

    as_json = await confab("search", "--url", server.url, f"{word} deplo", "--json")
    api = await http.get("/api/search", headers=alice.headers, params={"q": f"{word} deplo"})
    assert json.loads(as_json.stdout) == api.json()


async def test_search_reports_a_bad_query_and_an_empty_result(confab, log_in_as, make_user, server):
    alice = await make_user()
    await log_in_as(alice)
    refused = await confab("search", "--url", server.url, "form:bob")
    assert refused.exit_code == 1
    assert "unknown operator form:" in refused.stderr
    nothing = await confab("search", "--url", server.url, "w" + uuid.uuid4().hex)
    assert (nothing.exit_code, nothing.stdout) == (0, "")
    assert "nothing found" in nothing.stderr
