"""Live delivery: each DM reaches its two parties' sockets exactly once and nobody else's."""

from __future__ import annotations

import asyncio

from tests.support.messages import send_dm
from tests.support.sockets import RecordingClient, settle


async def test_a_dm_reaches_recipient_and_the_authors_other_tabs_once_and_no_one_else(server, http, make_user):
    alice, bob, carol, dave = [await make_user() for _ in range(4)]
    alice_tab_one = await RecordingClient().connect(server.url, alice.token)
    alice_tab_two = await RecordingClient().connect(server.url, alice.token)
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    carol_socket = await RecordingClient().connect(server.url, carol.token)  # records every event ("*")
    try:
        message = await send_dm(http, alice, bob, "trois petits chats")
        await bob_socket.wait_for("message", lambda m: m["id"] == message["id"])
        await alice_tab_two.wait_for("message", lambda m: m["id"] == message["id"])
        # carol is live: a message meant for her does arrive, so her silence below is meaningful
        own = await send_dm(http, dave, carol, "for carol")
        await carol_socket.wait_for("message", lambda m: m["id"] == own["id"])
        await settle()
        assert bob_socket.received("message") == [message]
        assert alice_tab_one.received("message") == [message]
        assert alice_tab_two.received("message") == [message]
        assert carol_socket.events == [("message", own), ("notify", {"message": own, "reason": "dm"})]
        assert isinstance(bob_socket.received("message")[0], dict)  # an object, not a JSON string
    finally:
        await asyncio.gather(*(c.disconnect() for c in (alice_tab_one, alice_tab_two, bob_socket, carol_socket)))


async def test_the_send_event_takes_the_rest_path_and_acks(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    alice_socket = await RecordingClient().connect(server.url, alice.token)
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    try:
        ack = await alice_socket.call("send", {"recipient_id": bob.id, "content": "chapeau de paille"})
        assert ack["ok"] is True
        message = ack["message"]
        assert message["author"]["id"] == alice.id
        assert message["recipient"]["id"] == bob.id
        assert message["content"] == "chapeau de paille"
        assert await bob_socket.wait_for("message") == message
        stored = (await http.get("/api/messages", headers=bob.headers)).json()
        assert stored == [message]
    finally:
        await alice_socket.disconnect()
        await bob_socket.disconnect()


async def test_bad_send_payloads_are_refused_in_the_ack_and_keep_the_socket(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    alice_socket = await RecordingClient().connect(server.url, alice.token)
    try:
        cases = [
            (None, 400),
            ("just a string", 400),
            ([1, 2, 3], 400),
            ({"content": "no recipient"}, 400),
            ({"recipient_id": bob.id, "content": "   "}, 400),
            ({"recipient_id": bob.id, "content": "x" * 4001}, 400),
            ({"recipient_id": bob.id, "content": "hi", "extra": True}, 400),
            ({"recipient_id": 2**64, "content": "hi"}, 400),
            ({"recipient_id": 10**12, "content": "hi"}, 404),
            ({"recipient_id": bob.id, "content": "hi", "author_id": bob.id}, 403),
        ]
        for payload, status in cases:
            ack = await alice_socket.call("send", payload)
            assert ack["ok"] is False, payload
            assert ack["status"] == status, (payload, ack)
            assert ack["detail"]
        assert alice_socket.client.connected
        assert (await http.get("/api/messages", headers=bob.headers)).json() == []
        assert (await alice_socket.call("send", {"recipient_id": bob.id, "content": "still here"}))["ok"] is True
    finally:
        await alice_socket.disconnect()


async def test_a_reconnecting_client_catches_up_with_exactly_what_it_missed(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    seen = await send_dm(http, alice, bob, "before the tunnel")
    await bob_socket.wait_for("message", lambda m: m["id"] == seen["id"])
    await bob_socket.disconnect()
    missed = [await send_dm(http, alice, bob, f"in the tunnel {i}") for i in range(3)]
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    try:
        caught_up = (
            await http.get(f"/api/users/{bob.id}/messages", headers=bob.headers, params={"after": seen["id"]})
        ).json()
        assert caught_up == missed
        after = await send_dm(http, alice, bob, "out of the tunnel")
        assert await bob_socket.wait_for("message") == after
    finally:
        await bob_socket.disconnect()


async def test_a_refused_send_names_the_field_and_its_rule_in_words_as_rest_does(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    alice_socket = await RecordingClient().connect(server.url, alice.token)
    try:
        blank = {"recipient_id": bob.id, "content": "   "}
        ack = await alice_socket.call("send", blank)
        rest = await http.post("/api/messages", headers=alice.headers, json=blank)
        assert ack["detail"] == "invalid message: content: must not be blank or contain NUL characters"
        assert rest.json()["detail"] == "content: must not be blank or contain NUL characters"
        short_id = await alice_socket.call("send", {"recipient_id": bob.id, "content": "hi", "client_id": "x"})
        assert short_id["detail"] == "invalid message: client_id: Expected `str` of length >= 8"
    finally:
        await alice_socket.disconnect()
