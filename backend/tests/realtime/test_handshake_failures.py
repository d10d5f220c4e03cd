"""When the server fails during a handshake or its replay, the client is told and nothing is left behind."""

from __future__ import annotations

from confab.domain.messages.service import MessageService
from tests.support.rooms import create_room
from tests.support.sockets import RecordingClient, refusal, settle


async def test_a_handshake_that_fails_midway_is_refused_and_leaves_no_presence_or_gate(
    server, http, make_user, monkeypatch
):
    alice, bob = await make_user(), await make_user()
    hub = server.app.state.hub

    async def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    # The first socket's presence announcement runs after the socket joined its channels and the gate.
    monkeypatch.setattr(MessageService, "correspondents", broken)
    reason = await refusal(server.url, {"token": alice.token, "last_id": 0})
    assert "server error" in reason
    assert not hub.manager.held, "no replay gate is left to hold messages forever"
    assert await hub.presence.online_among([alice.id]) == set()
    people = {person["id"]: person for person in (await http.get("/api/users", headers=bob.headers)).json()}
    assert people[alice.id]["online"] is False

    monkeypatch.undo()
    socket = await RecordingClient().connect(server.url, alice.token)
    try:
        assert await hub.presence.online_among([alice.id]) == {alice.id}
    finally:
        await socket.disconnect()


async def test_a_failed_replay_still_delivers_live_messages_and_sends_the_client_to_rest(
    server, http, make_user, monkeypatch
):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])

    async def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(MessageService, "visible_since", broken)
    socket = await RecordingClient().connect(server.url, bob.token, last_id=7)
    try:
        assert await socket.wait_for("synced") == {"last_id": 7, "seq": None, "complete": False}
        live = await http.post(f"/api/rooms/{room['id']}/messages", headers=alice.headers, json={"content": "now"})
        assert await socket.wait_for("message") == live.json()
        await settle()
        assert len(socket.received("message")) == 1
        assert not server.app.state.hub.manager.held
    finally:
        await socket.disconnect()
