"""A Socket.IO test client that records every event it receives, so tests can assert on absence too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import socketio


class RecordingClient:
    """A real python-socketio client with a catch-all handler."""

    def __init__(self, **client_options: Any) -> None:
        self.client = socketio.AsyncClient(reconnection=False, **client_options)
        self.events: list[tuple[str, Any]] = []
        self._changed = asyncio.Event()
        self.client.on("*", self._record)

    async def _record(self, event: str, data: Any = None) -> None:
        self.events.append((event, data))
        self._changed.set()

    async def connect(self, url: str, token: str | None, **auth: Any) -> RecordingClient:
        payload = {"token": token, **auth} if token is not None else auth
        await self.client.connect(url, auth=payload, transports=["websocket"], wait_timeout=10)
        return self

    async def disconnect(self) -> None:
        await self.client.disconnect()

    def received(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]

    async def wait_for(
        self, event: str, predicate: Callable[[Any], bool] = lambda _data: True, timeout: float = 10
    ) -> Any:
        """The first `event` whose payload satisfies `predicate`, waiting up to `timeout` seconds."""

        async def poll() -> Any:
            while True:
                for name, data in self.events:
                    if name == event and predicate(data):
                        return data
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(poll(), timeout)

    async def wait_disconnected(self, timeout: float = 5) -> bool:
        """Whether the server closed this socket within `timeout` seconds."""
        for _ in range(round(timeout / 0.05)):
            if not self.client.connected:
                break
            await asyncio.sleep(0.05)
        return not self.client.connected

    async def call(self, event: str, data: Any, timeout: float = 10) -> Any:
        return await self.client.call(event, data, timeout=timeout)


async def settle(seconds: float = 0.3) -> None:
    """Give in-flight events a moment, before asserting that something did NOT arrive."""
    await asyncio.sleep(seconds)


async def refusal(server_url: str, auth: dict | None) -> str:
    """The reason a client's `connect_error` handler is given when the server refuses it."""
    client = socketio.AsyncClient(reconnection=False)
    reasons: list[object] = []
    client.on("connect_error", reasons.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(server_url, auth=auth, transports=["websocket"], wait_timeout=10)
    assert not client.connected
    return str(reasons)
