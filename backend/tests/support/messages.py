"""Direct messages through the public API."""

from __future__ import annotations

import httpx

from tests.support.accounts import Account


async def send_dm(http: httpx.AsyncClient, author: Account, recipient: Account, content: str) -> dict:
    response = await http.post(
        "/api/messages", headers=author.headers, json={"recipient_id": recipient.id, "content": content}
    )
    assert response.status_code == 201, response.text
    return response.json()
