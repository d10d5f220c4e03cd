"""Presence: announced to correspondents on a user's first connect and last disconnect, and listed."""

from __future__ import annotations

from tests.support.sockets import RecordingClient, settle


async def online_flags(http, viewer):
    return {person["id"]: person["online"] for person in (await http.get("/api/users", headers=viewer.headers)).json()}


async def test_presence_follows_the_first_and_last_socket(server, http, make_user):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    response = await http.post("/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "hi"})
    assert response.status_code == 201
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    carol_socket = await RecordingClient().connect(server.url, carol.token)
    try:
        assert (await online_flags(http, carol))[alice.id] is False
        first = await RecordingClient().connect(server.url, alice.token)
        assert await bob_socket.wait_for("presence") == {"user_id": alice.id, "online": True}
        assert (await online_flags(http, carol))[alice.id] is True

        second = await RecordingClient().connect(server.url, alice.token)
        await first.disconnect()
        await settle()
        assert bob_socket.received("presence") == [{"user_id": alice.id, "online": True}]
        assert (await online_flags(http, bob))[alice.id] is True

        await second.disconnect()
        await bob_socket.wait_for("presence", lambda p: p["online"] is False)
        assert bob_socket.received("presence") == [
            {"user_id": alice.id, "online": True},
            {"user_id": alice.id, "online": False},
        ]
        assert (await online_flags(http, bob))[alice.id] is False
        assert carol_socket.received("presence") == []  # carol never talked with alice
    finally:
        await bob_socket.disconnect()
        await carol_socket.disconnect()
