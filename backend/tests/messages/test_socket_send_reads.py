"""A socket send (and on PostgreSQL a REST send) whose people the worker remembers opens no database session of
its own: its row goes through the group commit's session, and an unused session cost a tenth of a send
(`confab.db.on_demand`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.sockets import RecordingClient


class CountingSessions:
    """Stands in for the hub's session maker and counts the sessions asked of it."""

    def __init__(self, session_maker: Callable[[], Any]) -> None:
        self.session_maker = session_maker
        self.opened = 0

    def __call__(self) -> Any:
        self.opened += 1
        return self.session_maker()


async def test_socket_sends_open_no_session_once_the_people_are_remembered(server, make_user, monkeypatch):
    alice, bob = await make_user(), await make_user()
    hub = server.app.state.hub
    sender = await RecordingClient().connect(server.url, alice.token)
    try:
        first = await sender.call("send", {"recipient_id": bob.id, "content": "remembers us both"})
        assert first["ok"], first
        sessions = CountingSessions(hub.session_maker)
        monkeypatch.setattr(hub, "session_maker", sessions)
        for n in range(3):
            send = {"recipient_id": bob.id, "content": f"no session {n}", "client_id": f"client-{n:04}"}
            ack = await sender.call("send", send)
            assert ack["ok"] and ack["created"], ack
        assert sessions.opened == 0

        # A repeated client_id looks its original up: that send alone opens a session, and answers as before.
        repeat = {"recipient_id": bob.id, "content": "no session 0", "client_id": "client-0000"}
        again = await sender.call("send", repeat)
        assert again["ok"] and not again["created"], again
        assert again["message"]["content"] == "no session 0"
        assert sessions.opened == 1
    finally:
        await sender.disconnect()


@pytest.mark.parametrize("event", ["edit", "delete"])
async def test_socket_changes_still_read_through_their_own_session(server, make_user, event):
    alice, bob = await make_user(), await make_user()
    sender = await RecordingClient().connect(server.url, alice.token)
    try:
        sent = await sender.call("send", {"recipient_id": bob.id, "content": "to change"})
        change = {"message_id": sent["message"]["id"], **({"content": "changed"} if event == "edit" else {})}
        ack = await sender.call(event, change)
        assert ack["ok"], ack
    finally:
        await sender.disconnect()


async def test_rest_sends_on_postgres_open_no_session_once_the_people_are_remembered(
    server, http, make_user, monkeypatch
):
    """On PostgreSQL the token check needs no session of the request's either, so a REST send opens none."""
    state = server.app.state
    if state.settings.is_sqlite:
        pytest.skip("on SQLite the token check begins the request's session, and the send reads through it")
    alice, bob = await make_user(), await make_user()
    first = await http.post("/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "hi"})
    assert first.status_code == 201, first.text
    sessions = CountingSessions(state.hub.session_maker)
    monkeypatch.setattr(state.hub, "session_maker", sessions)
    request_sessions = CountingSessions(state.database_config.provide_session)
    monkeypatch.setattr(state.database_config, "provide_session", request_sessions)
    for n in range(3):
        send = {"recipient_id": bob.id, "content": f"no session {n}", "client_id": f"rest-{n:04}"}
        sent = await http.post("/api/messages", headers=alice.headers, json=send)
        assert sent.status_code == 201, sent.text
    assert (sessions.opened, request_sessions.opened) == (0, 0)

    repeat = await http.post(
        "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "x", "client_id": "rest-0000"}
    )
    assert repeat.status_code == 200, repeat.text
    assert repeat.json()["content"] == "no session 0"
    assert (sessions.opened, request_sessions.opened) == (1, 0)
