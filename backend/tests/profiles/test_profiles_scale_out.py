"""Two workers sharing a database and Redis: a profile change made through one is what the other serves at once."""

from __future__ import annotations

import asyncio

from tests.support.accounts import PASSWORD, sign_up
from tests.support.cluster import two_workers
from tests.support.messages import send_dm
from tests.support.sockets import RecordingClient


async def test_a_rename_and_a_closing_through_one_worker_are_what_the_other_serves(settings, redis_url):
    async with two_workers(settings, redis_url) as (_, http_a, worker_b, http_b, sockets):
        alice, bob = await sign_up(http_a), await sign_up(http_b)
        # B remembers alice's profile: she is the recipient of a DM sent through B
        first = await send_dm(http_b, bob, alice, "hello through B")
        assert first["recipient"]["name"] == alice.name
        bob_on_b = await RecordingClient().connect(worker_b.url, bob.token)
        alice_on_b = await RecordingClient().connect(worker_b.url, alice.token)
        sockets += [bob_on_b, alice_on_b]

        renamed = await http_a.patch("/api/me", headers=alice.headers, json={"name": "Alice Everywhere"})
        assert renamed.status_code == 200
        assert (await bob_on_b.wait_for("user_updated"))["name"] == "Alice Everywhere"
        assert (await alice_on_b.wait_for("user_updated"))["name"] == "Alice Everywhere"
        # B's cache has dropped the old profile before its sockets heard of the change
        second = await send_dm(http_b, bob, alice, "and again")
        assert second["recipient"]["name"] == "Alice Everywhere"
        ack = await alice_on_b.call("send", {"recipient_id": bob.id, "content": "from my socket on B"})
        assert ack["message"]["author"]["name"] == "Alice Everywhere"

        closed = await http_a.request("DELETE", "/api/me", headers=alice.headers, json={"password": PASSWORD})
        assert closed.status_code == 204
        assert await alice_on_b.wait_for("session_ended") == {"reason": "account closed"}
        assert await alice_on_b.wait_disconnected()
        assert (await bob_on_b.wait_for("user_updated", lambda profile: profile["deleted"]))["id"] == alice.id
        refused = await http_b.post(
            "/api/messages", headers=bob.headers, json={"recipient_id": alice.id, "content": "hello?"}
        )
        assert refused.status_code == 403
        history = (await http_b.get(f"/api/messages?with={alice.id}", headers=bob.headers)).json()
        assert {message["author"]["name"] for message in history} == {"Deleted user", bob.name}


async def test_a_worker_holding_no_socket_forgets_a_changed_profile_too(settings, redis_url):
    """Events reach only the workers with a socket that wants them, but any worker may answer a REST request
    from its profile cache: profile changes reach every worker."""
    async with two_workers(settings, redis_url) as (_, http_a, _, http_b, _):
        alice, bob = await sign_up(http_a), await sign_up(http_b)
        first = await send_dm(http_b, bob, alice, "B caches alice's profile")
        assert first["recipient"]["name"] == alice.name

        renamed = await http_a.patch("/api/me", headers=alice.headers, json={"name": "Alice Renamed"})
        assert renamed.status_code == 200
        deadline = asyncio.get_running_loop().time() + 10
        while (await send_dm(http_b, bob, alice, "who are you now?"))["recipient"]["name"] != "Alice Renamed":
            assert asyncio.get_running_loop().time() < deadline, "worker B still serves the old name"
            await asyncio.sleep(0.1)
