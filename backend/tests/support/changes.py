"""Editing, deleting and reacting through the public API, and reading back what the server holds."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from tests.support.accounts import Account


def reaction_path(message_id: int, emoji: str) -> str:
    return f"/api/messages/{message_id}/reactions/{quote(emoji)}"


async def edit(http: httpx.AsyncClient, editor: Account, message_id: int, content: str) -> dict:
    response = await http.patch(f"/api/messages/{message_id}", headers=editor.headers, json={"content": content})
    assert response.status_code == 200, response.text
    return response.json()


async def delete(http: httpx.AsyncClient, caller: Account, message_id: int) -> None:
    response = await http.delete(f"/api/messages/{message_id}", headers=caller.headers)
    assert response.status_code == 204, response.text


async def react(http: httpx.AsyncClient, user: Account, message_id: int, emoji: str, *, remove: bool = False) -> dict:
    method = http.delete if remove else http.put
    response = await method(reaction_path(message_id, emoji), headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def all_changes(http: httpx.AsyncClient, user: Account, since: int = 0, limit: int = 200) -> list[dict]:
    """Every change the user may see after `since`, paged through `GET /api/changes` until a short page."""
    collected: list[dict] = []
    while True:
        page = await http.get("/api/changes", headers=user.headers, params={"since": since, "limit": limit})
        assert page.status_code == 200, page.text
        collected += page.json()
        if len(page.json()) < limit:
            return collected
        since = page.json()[-1]["seq"]


def apply(copy: dict[int, dict], incoming: dict) -> None:
    """The client rule: keep the incoming message when its `seq` is higher than the copy's."""
    current = copy.get(incoming["id"])
    if current is None or incoming["seq"] > current["seq"]:
        copy[incoming["id"]] = incoming
