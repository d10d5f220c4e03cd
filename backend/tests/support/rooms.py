"""Room chores through the public API."""

from __future__ import annotations

import httpx

from tests.support.accounts import Account


async def create_room(http: httpx.AsyncClient, owner: Account, name: str = "general", members=()) -> dict:
    response = await http.post(
        "/api/rooms", headers=owner.headers, json={"name": name, "member_ids": [member.id for member in members]}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def post_to_room(http: httpx.AsyncClient, author: Account, room_id: int, content: str) -> dict:
    response = await http.post(f"/api/rooms/{room_id}/messages", headers=author.headers, json={"content": content})
    assert response.status_code == 201, response.text
    return response.json()
