"""Creating users through the public API, as a client would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx

PASSWORD = "correct horse battery"


@dataclass
class Account:
    id: int
    name: str
    nickname: str
    email: str
    token: str
    password: str = PASSWORD
    headers: dict[str, str] = field(default_factory=dict)


def unique_nickname(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


async def sign_up(http: httpx.AsyncClient, nickname: str | None = None, name: str | None = None) -> Account:
    nickname = nickname or unique_nickname()
    body = {
        "name": name or f"User {nickname}",
        "email": f"{nickname}@example.com",
        "nickname": nickname,
        "password": PASSWORD,
    }
    created = await http.post("/api/users", json=body)
    assert created.status_code == 201, created.text
    login = await http.post("/api/auth/token", json={"nickname": nickname, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    user = created.json()
    return Account(
        id=user["id"],
        name=user["name"],
        nickname=user["nickname"],
        email=user["email"],
        token=token,
        headers={"Authorization": f"Bearer {token}"},
    )
