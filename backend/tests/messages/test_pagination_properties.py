"""Property tests for cursor pagination: whatever the page sizes, walking forward with `after` or backward with
`before` visits every message of a history exactly once, in order. Runs against a backend subprocess, so
hypothesis can drive a plain synchronous HTTP client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confab.settings import Settings
from tests.conftest import free_port
from tests.support.accounts import PASSWORD, unique_nickname
from tests.support.processes import BackendProcess, environment_for

page_sizes = st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=8)
examples = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class History:
    """A conversation and a room with known message ids, with other traffic interleaved so ids have gaps."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        alice, bob, carol = (self.account() for _ in range(3))
        self.headers = alice
        self.peer_id = self.client.get("/api/me", headers=bob).json()["id"]
        carol_id = self.client.get("/api/me", headers=carol).json()["id"]
        self.room_id = self.post("/api/rooms", alice, {"name": "paging", "member_ids": [self.peer_id]})["id"]
        self.direct_ids: list[int] = []
        self.room_ids: list[int] = []
        for number in range(45):
            self.direct_ids.append(
                self.post("/api/messages", alice, {"recipient_id": self.peer_id, "content": f"{number}"})["id"]
            )
            if number % 3 == 0:
                self.post("/api/messages", alice, {"recipient_id": carol_id, "content": "elsewhere"})
            if number % 2 == 0:
                self.room_ids.append(
                    self.post(f"/api/rooms/{self.room_id}/messages", bob, {"content": f"{number}"})["id"]
                )
        self.user_id = self.client.get("/api/me", headers=alice).json()["id"]

    def account(self) -> dict[str, str]:
        nickname = unique_nickname("page")
        body = {"name": nickname, "email": f"{nickname}@example.com", "nickname": nickname, "password": PASSWORD}
        assert self.client.post("/api/users", json=body).status_code == 201
        login = self.client.post("/api/auth/token", json={"nickname": nickname, "password": PASSWORD})
        return {"Authorization": f"Bearer {login.json()['access_token']}"}

    def post(self, path: str, headers: dict[str, str], body: dict) -> dict:
        response = self.client.post(path, headers=headers, json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def page(self, path: str, **query: int) -> list[int]:
        response = self.client.get(path, headers=self.headers, params=query)
        assert response.status_code == 200, response.text
        ids = [message["id"] for message in response.json()]
        assert ids == sorted(ids) and len(ids) <= query["limit"]
        return ids


@pytest.fixture(scope="module")
def history(settings: Settings) -> Iterator[History]:
    backend = BackendProcess(environment_for(settings), free_port())
    asyncio.run(backend.start())
    try:
        with httpx.Client(base_url=backend.url, timeout=30) as client:
            yield History(client)
    finally:
        asyncio.run(backend.stop())


def walk_forward(history: History, path: str, sizes: list[int], extra: dict[str, int]) -> list[int]:
    seen: list[int] = []
    cursor = 0
    for turn in range(1000):
        limit = sizes[turn % len(sizes)]
        ids = history.page(path, after=cursor, limit=limit, **extra)
        assert all(message_id > cursor for message_id in ids)
        seen.extend(ids)
        if len(ids) < limit:
            return seen
        cursor = ids[-1]
    raise AssertionError("forward paging did not end")


def walk_backward(history: History, path: str, sizes: list[int], extra: dict[str, int]) -> list[int]:
    seen: list[int] = []
    cursor: dict[str, int] = {}
    for turn in range(1000):
        limit = sizes[turn % len(sizes)]
        ids = history.page(path, limit=limit, **cursor, **extra)
        if cursor:
            assert all(message_id < cursor["before"] for message_id in ids)
        seen[:0] = ids
        if len(ids) < limit:
            return seen
        cursor = {"before": ids[0]}
    raise AssertionError("backward paging did not end")


@examples
@given(sizes=page_sizes)
def test_direct_history_pages_forward_and_backward_without_gaps_or_repeats(history: History, sizes: list[int]) -> None:
    for path, extra in (
        ("/api/messages", {"with": history.peer_id}),
        (f"/api/users/{history.user_id}/messages", {"with": history.peer_id}),
    ):
        assert walk_forward(history, path, sizes, extra) == history.direct_ids
        assert walk_backward(history, path, sizes, extra) == history.direct_ids


@examples
@given(sizes=page_sizes)
def test_room_history_pages_forward_and_backward_without_gaps_or_repeats(history: History, sizes: list[int]) -> None:
    path = f"/api/rooms/{history.room_id}/messages"
    assert walk_forward(history, path, sizes, {}) == history.room_ids
    assert walk_backward(history, path, sizes, {}) == history.room_ids


@examples
@given(cursor=st.integers(min_value=0, max_value=2**63 - 1), limit=st.integers(min_value=1, max_value=200))
def test_any_cursor_gives_the_matching_slice(history: History, cursor: int, limit: int) -> None:
    path = f"/api/rooms/{history.room_id}/messages"
    assert history.page(path, after=cursor, limit=limit) == [i for i in history.room_ids if i > cursor][:limit]
    assert history.page(path, before=cursor, limit=limit) == [i for i in history.room_ids if i < cursor][-limit:]
