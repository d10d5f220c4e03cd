"""Logging in as a given device from a given address (uvicorn trusts X-Forwarded-For from 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.support.accounts import Account

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_ON_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"


@dataclass
class Device:
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


LogIn = Callable[..., Awaitable[Device]]


@pytest.fixture
def log_in(http: httpx.AsyncClient) -> LogIn:
    async def log_in(account: Account, user_agent: str = "", address: str | None = None) -> Device:
        headers = {"User-Agent": user_agent}
        if address:
            headers["X-Forwarded-For"] = address
        login = await http.post(
            "/api/auth/token", json={"nickname": account.nickname, "password": account.password}, headers=headers
        )
        assert login.status_code == 200, login.text
        return Device(login.json()["access_token"])

    return log_in
