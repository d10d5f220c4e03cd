"""Two backend processes on one database and one Redis: `notify` reaches exactly the right sockets on either
worker, once, and nobody else's."""

from __future__ import annotations

from tests.support.accounts import sign_up
from tests.support.cluster import two_workers
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle


async def test_notify_crosses_workers_to_exactly_the_alerted_sockets(settings, redis_url):
    async with two_workers(settings, redis_url) as (worker_a, http_a, worker_b, http_b, sockets):
        alice, loud, quiet, muted, outsider = [await sign_up(http_a) for _ in range(5)]
        room = await create_room(http_a, alice, members=[loud, quiet, muted])
        for member, level in ((quiet, "mentions"), (muted, "none")):
            answer = await http_b.put(
                f"/api/rooms/{room['id']}/notifications", headers=member.headers, json={"level": level}
            )
            assert answer.status_code == 200
        by_user = {}
        for user in (alice, loud, quiet, muted, outsider):
            # one tab on each worker
            by_user[user.id] = [
                await RecordingClient().connect(worker_a.url, user.token),
                await RecordingClient().connect(worker_b.url, user.token),
            ]
            sockets += by_user[user.id]
        plain = await post_to_room(http_a, alice, room["id"], "hello")
        named = await post_to_room(http_b, alice, room["id"], f"@{quiet.nickname} over here")
        dm = await http_a.post(
            "/api/messages", headers=outsider.headers, json={"recipient_id": muted.id, "content": "psst"}
        )
        assert dm.status_code == 201
        for socket in by_user[quiet.id] + by_user[loud.id]:
            await socket.wait_for("notify", lambda n: n["message"]["id"] == named["id"])
        for socket in by_user[muted.id]:
            await socket.wait_for("notify", lambda n: n["message"]["id"] == dm.json()["id"])
        await settle(0.5)

        def alerts(user) -> list[list[tuple[int, str]]]:
            return [[(n["message"]["id"], n["reason"]) for n in s.received("notify")] for s in by_user[user.id]]

        assert alerts(loud) == [[(plain["id"], "room"), (named["id"], "room")]] * 2
        assert alerts(quiet) == [[(named["id"], "mention")]] * 2
        assert alerts(muted) == [[(dm.json()["id"], "dm")]] * 2  # `none` is per room: DMs still alert
        assert alerts(alice) == [[], []]
        assert alerts(outsider) == [[], []]
