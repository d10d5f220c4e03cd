"""Two backend processes sharing one database and one Redis deliver each other's events (new messages and
changes alike) exactly once."""

from __future__ import annotations

from tests.support.accounts import sign_up
from tests.support.changes import delete, edit, react
from tests.support.cluster import two_workers
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle


async def test_a_message_sent_through_one_worker_reaches_a_socket_on_the_other_once(settings, redis_url):
    async with two_workers(settings, redis_url) as (worker_a, http_a, worker_b, http_b, sockets):
        alice = await sign_up(http_a)
        bob = await sign_up(http_b)
        bob_on_a = await RecordingClient().connect(worker_a.url, bob.token)
        alice_on_b = await RecordingClient().connect(worker_b.url, alice.token)
        sockets += [bob_on_a, alice_on_b]

        sent = await http_b.post(
            "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": "across workers"}
        )
        assert sent.status_code == 201
        message = sent.json()
        assert await bob_on_a.wait_for("message") == message
        assert await alice_on_b.wait_for("message") == message
        await settle(0.5)
        assert bob_on_a.received("message") == [message]
        assert alice_on_b.received("message") == [message]

        # presence is shared too: bob (on A) is online as seen from B
        people = (await http_b.get("/api/users", headers=alice.headers)).json()
        assert {p["id"]: p["online"] for p in people}[bob.id] is True


async def test_changes_made_through_one_worker_reach_sockets_on_both_once_and_replay_across_workers(
    settings, redis_url
):
    async with two_workers(settings, redis_url) as (worker_a, http_a, worker_b, http_b, sockets):
        alice, bob, outsider = await sign_up(http_a), await sign_up(http_b), await sign_up(http_a)
        room = await create_room(http_a, alice, members=[bob])
        posted = await post_to_room(http_a, alice, room["id"], "across workers")
        bob_on_a = await RecordingClient().connect(worker_a.url, bob.token)
        alice_on_b = await RecordingClient().connect(worker_b.url, alice.token)
        outsider_on_b = await RecordingClient().connect(worker_b.url, outsider.token)
        sockets += [bob_on_a, alice_on_b, outsider_on_b]

        edited = await edit(http_b, alice, posted["id"], "across workers, edited")
        reacted = await react(http_a, bob, posted["id"], "🚀")
        for socket in (bob_on_a, alice_on_b):
            await socket.wait_for("message_updated", lambda m: m["seq"] == reacted["seq"])
        await settle(0.5)
        for socket in (bob_on_a, alice_on_b):
            assert socket.received("message_updated") == [edited, reacted]
        assert [name for name, _ in outsider_on_b.events if name.startswith("message")] == []

        # a socket that missed a delete made through the other worker catches up with `since`
        await delete(http_b, alice, posted["id"])
        late = await RecordingClient().connect(worker_a.url, bob.token, since=reacted["seq"])
        sockets.append(late)
        synced = await late.wait_for("synced")
        (tombstone,) = late.received("message_updated")
        assert tombstone["deleted"] is True and tombstone["content"] == ""
        assert synced == {"last_id": posted["id"], "seq": tombstone["seq"], "complete": True}
