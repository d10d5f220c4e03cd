"""Property tests for the change order: whatever edits, deletes and reactions happen in whatever order,
`GET /api/changes` paged from any cursor with any page sizes gives every message changed after it once, in
its latest state, ascending by `seq`, and a copy brought up to date that way equals the history routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confab.settings import Settings
from tests.conftest import free_port
from tests.support.accounts import PASSWORD, unique_nickname
from tests.support.processes import BackendProcess, environment_for

examples = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
EMOJI = ["👍", "🎉", "🇫🇷"]


class Conversation:
    """Alice and bob, a DM thread and a room they share, and an outsider whose traffic must never show up."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.alice, self.bob, self.outsider = (self.account() for _ in range(3))
        self.bob_id = self.me(self.bob)
        self.room_id = self.call("POST", "/api/rooms", self.alice, {"name": "props", "member_ids": [self.bob_id]})["id"]
        outsider_room = self.call("POST", "/api/rooms", self.outsider, {"name": "elsewhere"})["id"]
        self.elsewhere = self.call("POST", f"/api/rooms/{outsider_room}/messages", self.outsider, {"content": "x"})
        self.message_ids: list[int] = []
        for number in range(4):
            self.send(self.alice if number % 2 else self.bob)

    def account(self) -> dict[str, str]:
        nickname = unique_nickname("prop")
        body = {"name": nickname, "email": f"{nickname}@example.com", "nickname": nickname, "password": PASSWORD}
        assert self.client.post("/api/users", json=body).status_code == 201
        login = self.client.post("/api/auth/token", json={"nickname": nickname, "password": PASSWORD})
        return {"Authorization": f"Bearer {login.json()['access_token']}"}

    def me(self, headers: dict[str, str]) -> int:
        return self.client.get("/api/me", headers=headers).json()["id"]

    def call(self, method: str, path: str, headers: dict[str, str], body: dict | None = None) -> dict:
        response = self.client.request(method, path, headers=headers, json=body)
        assert response.status_code < 500, response.text
        return response.json() if response.content else {}

    def send(self, author: dict[str, str]) -> None:
        path = f"/api/rooms/{self.room_id}/messages" if len(self.message_ids) % 2 else "/api/messages"
        body = {"content": "new"} if "rooms" in path else {"recipient_id": self.bob_id, "content": "new"}
        if author is self.bob and "rooms" not in path:
            body["recipient_id"] = self.me(self.alice)
        self.message_ids.append(self.call("POST", path, author, body)["id"])

    def apply(self, operation: tuple[str, int, int, int]) -> None:
        """One change attempt; refusals (not the author, already deleted) are part of the game."""
        kind, who, which, emoji = operation
        person = (self.alice, self.bob)[who]
        message_id = self.message_ids[which % len(self.message_ids)]
        reaction = f"/api/messages/{message_id}/reactions/{quote(EMOJI[emoji])}"
        if kind == "send":
            self.send(person)
        elif kind == "edit":
            self.call("PATCH", f"/api/messages/{message_id}", person, {"content": f"edit {which}"})
        elif kind == "delete":
            self.call("DELETE", f"/api/messages/{message_id}", person)
        elif kind == "react":
            self.call("PUT", reaction, person)
        else:
            self.call("DELETE", reaction, person)

    def changes(self, since: int, sizes: list[int]) -> list[dict]:
        seen: list[dict] = []
        for turn in range(1000):
            limit = sizes[turn % len(sizes)]
            page = self.client.get("/api/changes", headers=self.bob, params={"since": since, "limit": limit}).json()
            assert all(message["seq"] > since for message in page)
            seen += page
            if len(page) < limit:
                return seen
            since = page[-1]["seq"]
        raise AssertionError("paging /api/changes did not end")

    def state(self) -> dict[int, dict]:
        direct = self.client.get("/api/messages", headers=self.bob, params={"limit": 200}).json()
        room = self.client.get(f"/api/rooms/{self.room_id}/messages", headers=self.bob, params={"limit": 200}).json()
        return {message["id"]: message for message in direct + room}


@pytest.fixture(scope="module")
async def conversation(settings: Settings) -> AsyncIterator[Conversation]:
    """Async, so the session's event loop runs while the backend starts: an earlier test's in-process
    server work (a disconnect's presence query, say) finishes and lets go of SQLite's write lock, which
    the synchronous test body, blocking that loop, would otherwise keep it from doing."""
    backend = BackendProcess(environment_for(settings), free_port())
    await backend.start()
    try:
        with httpx.Client(base_url=backend.url, timeout=30) as client:
            yield Conversation(client)
    finally:
        await backend.stop()


operations = st.lists(
    st.tuples(
        st.sampled_from(["send", "edit", "delete", "react", "unreact"]),
        st.integers(0, 1),
        st.integers(0, 50),
        st.integers(0, len(EMOJI) - 1),
    ),
    min_size=1,
    max_size=6,
)
page_sizes = st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=4)


@examples
@given(before=operations, after=operations, sizes=page_sizes)
def test_a_copy_caught_up_from_any_cursor_equals_the_server_state(
    conversation: Conversation, before: list, after: list, sizes: list[int]
) -> None:
    for operation in before:
        conversation.apply(operation)
    copy = conversation.state()
    since = max(message["seq"] for message in conversation.changes(0, [200]))
    for operation in after:
        conversation.apply(operation)

    caught_up = conversation.changes(since, sizes)
    assert [m["seq"] for m in caught_up] == sorted({m["seq"] for m in caught_up})  # ascending, no repeats
    assert len({m["id"] for m in caught_up}) == len(caught_up)  # each message once
    for message in caught_up:
        if message["id"] not in copy or message["seq"] > copy[message["id"]]["seq"]:
            copy[message["id"]] = message
    server = conversation.state()
    assert copy == server
    assert conversation.elsewhere["id"] not in server
    # the full walk from zero is the whole visible state, in change order
    assert sorted(conversation.changes(0, sizes), key=lambda m: m["id"]) == sorted(
        server.values(), key=lambda m: m["id"]
    )
