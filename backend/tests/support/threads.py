"""Replies and threads through the public API."""

from __future__ import annotations

import httpx

from tests.support.accounts import Account


async def reply_in_room(http: httpx.AsyncClient, author: Account, room_id: int, thread_id: int, content: str) -> dict:
    response = await http.post(
        f"/api/rooms/{room_id}/messages", headers=author.headers, json={"content": content, "thread_id": thread_id}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def reply_direct(
    http: httpx.AsyncClient, author: Account, recipient: Account, thread_id: int, content: str
) -> dict:
    response = await http.post(
        "/api/messages",
        headers=author.headers,
        json={"recipient_id": recipient.id, "content": content, "thread_id": thread_id},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def thread_of(http: httpx.AsyncClient, reader: Account, message_id: int, **params: int) -> list[dict]:
    response = await http.get(f"/api/messages/{message_id}/thread", headers=reader.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def followed_threads(http: httpx.AsyncClient, reader: Account) -> list[dict]:
    response = await http.get("/api/threads", headers=reader.headers)
    assert response.status_code == 200, response.text
    return response.json()
