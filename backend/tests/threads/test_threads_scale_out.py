"""Two backend processes on one database and one Redis: racing replies through both are all counted, and
every member's socket, on either worker, gets each reply and each root summary once."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.accounts import sign_up
from tests.support.cluster import two_workers
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle

REPLIES_PER_WORKER = 5


async def test_racing_replies_through_two_workers_are_counted_and_pushed_once_to_both(settings, redis_url):
    async with two_workers(settings, redis_url) as (worker_a, http_a, worker_b, http_b, sockets):
        alice, bob = await sign_up(http_a), await sign_up(http_b)
        room = await create_room(http_a, alice, members=[bob])
        root = await post_to_room(http_a, alice, room["id"], "across workers")
        alice_on_b = await RecordingClient().connect(worker_b.url, alice.token)
        bob_on_a = await RecordingClient().connect(worker_a.url, bob.token)
        sockets += [alice_on_b, bob_on_a]

        def reply(http: httpx.AsyncClient, author, number: int):
            return http.post(
                f"/api/rooms/{room['id']}/messages",
                headers=author.headers,
                json={"content": f"reply {number}", "thread_id": root["id"]},
            )

        answers = await asyncio.gather(
            *(reply(http_a, bob, i) for i in range(REPLIES_PER_WORKER)),
            *(reply(http_b, alice, i) for i in range(REPLIES_PER_WORKER)),
        )
        assert {answer.status_code for answer in answers} == {201}
        total = 2 * REPLIES_PER_WORKER
        for socket in sockets:
            await socket.wait_for("message_updated", lambda m: m["thread"]["reply_count"] == total)
        await settle(0.5)
        replies = sorted((answer.json() for answer in answers), key=lambda message: message["id"])
        for socket in sockets:
            assert sorted(socket.received("message"), key=lambda message: message["id"]) == replies
            counts = sorted(m["thread"]["reply_count"] for m in socket.received("message_updated"))
            assert counts == list(range(1, total + 1))
        thread = (await http_b.get(f"/api/messages/{root['id']}/thread", headers=alice.headers)).json()
        assert thread == replies
