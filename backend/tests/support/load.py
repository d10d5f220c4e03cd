"""Steady message load for the tests that disturb a running server: who was told what, and what is stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx
import socketio

from tests.support.accounts import Account
from tests.support.sockets import RecordingClient


@dataclass
class Ledger:
    """What the clients were told: contents acknowledged as stored, and sends that got no answer at all."""

    acknowledged: dict[str, int] = field(default_factory=dict)
    unanswered: dict[str, dict] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def new_message(recipient: Account, worker: str, number: int) -> dict:
    return {"recipient_id": recipient.id, "content": f"{worker}-{number}", "client_id": uuid.uuid4().hex}


async def send_over_rest(url: str, author: Account, recipient: Account, worker: str, ledger: Ledger) -> None:
    async with httpx.AsyncClient(base_url=url, headers=author.headers, timeout=10) as client:
        for number in range(100_000):
            body = new_message(recipient, worker, number)
            try:
                response = await client.post("/api/messages", json=body)
            except httpx.TransportError:
                ledger.unanswered[body["content"]] = body
                return
            if response.status_code == 201:
                ledger.acknowledged[body["content"]] = response.json()["id"]
            else:
                ledger.failures.append(f"{response.status_code} {response.text}")
                return


async def send_over_socket(url: str, author: Account, recipient: Account, worker: str, ledger: Ledger) -> None:
    sender = await RecordingClient().connect(url, author.token)
    try:
        for number in range(100_000):
            body = new_message(recipient, worker, number)
            try:
                ack = await sender.call("send", body, timeout=5)
            except (socketio.exceptions.SocketIOError, TimeoutError):
                ledger.unanswered[body["content"]] = body
                return
            if ack.get("ok"):
                ledger.acknowledged[body["content"]] = ack["message"]["id"]
            else:
                ledger.failures.append(str(ack))
                return
    finally:
        await sender.client.disconnect()


async def whole_history(url: str, reader: Account, peer: Account) -> list[dict]:
    messages: list[dict] = []
    async with httpx.AsyncClient(base_url=url, headers=reader.headers, timeout=30) as client:
        while True:
            after = messages[-1]["id"] if messages else 0
            page = await client.get("/api/messages", params={"with": peer.id, "after": after, "limit": 200})
            assert page.status_code == 200, page.text
            messages += page.json()
            if len(page.json()) < 200:
                return messages
