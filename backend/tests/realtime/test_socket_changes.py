"""The socket's `edit`, `delete` and `react` events: REST's rules, answered in the ack, pushed as `message_updated`."""

from __future__ import annotations

import asyncio

from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle


async def test_edit_react_and_delete_over_the_socket_reach_the_audience_once(server, http, make_user):
    alice, bob, outsider = [await make_user() for _ in range(3)]
    sent = await send_dm(http, alice, bob, "over the socket")
    sockets = [await RecordingClient().connect(server.url, account.token) for account in (alice, bob, outsider)]
    alice_socket, bob_socket, outsider_socket = sockets
    try:
        edited = await alice_socket.call("edit", {"message_id": sent["id"], "content": "over the socket, edited"})
        assert edited["ok"] is True and edited["message"]["edited_at"] is not None
        reacted = await bob_socket.call("react", {"message_id": sent["id"], "emoji": "👌"})
        assert reacted["message"]["reactions"] == [{"emoji": "👌", "count": 1, "user_ids": [bob.id]}]
        again = await bob_socket.call("react", {"message_id": sent["id"], "emoji": "👌"})
        assert again["message"] == reacted["message"]  # nothing changed, nothing pushed
        removed = await bob_socket.call("react", {"message_id": sent["id"], "emoji": "👌", "remove": True})
        assert removed["message"]["reactions"] == []
        assert await alice_socket.call("delete", {"message_id": sent["id"]}) == {"ok": True}
        for socket in (alice_socket, bob_socket):
            await socket.wait_for("message_updated", lambda m: m["deleted"])
        await settle()
        history = (await http.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
        expected = [edited["message"], reacted["message"], removed["message"], history[-1]]
        for socket in (alice_socket, bob_socket):
            assert socket.received("message_updated") == expected
        assert outsider_socket.events == []
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets))


async def test_refusals_come_back_in_the_ack_as_the_rest_statuses(server, http, make_user):
    alice, bob, outsider = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob])
    posted = await post_to_room(http, bob, room["id"], "bob's")
    carol_socket = await RecordingClient().connect(server.url, outsider.token)
    alice_socket = await RecordingClient().connect(server.url, alice.token)
    try:
        refused = await alice_socket.call("edit", {"message_id": posted["id"], "content": "not mine"})
        assert refused == {"ok": False, "status": 403, "detail": "only the author can edit a message"}
        hidden = await carol_socket.call("react", {"message_id": posted["id"], "emoji": "👍"})
        assert hidden == {"ok": False, "status": 404, "detail": f"no message with id {posted['id']}"}
        bad_emoji = await alice_socket.call("react", {"message_id": posted["id"], "emoji": "yes"})
        assert bad_emoji["status"] == 400 and "exactly one emoji" in bad_emoji["detail"]
        blank = await alice_socket.call("edit", {"message_id": posted["id"], "content": " "})
        assert blank == {
            "ok": False,
            "status": 400,
            "detail": "invalid edit: content: must not be blank or contain NUL characters",
        }
        for payload in (None, {"message_id": "1"}, {"message_id": posted["id"], "extra": 1}):
            assert (await alice_socket.call("delete", payload))["status"] == 400
        assert await alice_socket.call("delete", {"message_id": posted["id"]}) == {"ok": True}  # the owner
        gone = await alice_socket.call("react", {"message_id": posted["id"], "emoji": "👍"})
        assert gone["status"] == 409
        assert alice_socket.client.connected and carol_socket.client.connected
    finally:
        await alice_socket.disconnect()
        await carol_socket.disconnect()
