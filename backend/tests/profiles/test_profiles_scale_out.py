"""Two workers sharing a database and Redis: a profile change made through one is what the other serves at once."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import httpx

from tests.conftest import free_port
from tests.support.accounts import PASSWORD, sign_up
from tests.support.messages import send_dm
from tests.support.processes import BackendProcess, environment_for
from tests.support.sockets import RecordingClient


async def test_a_rename_and_a_closing_through_one_worker_are_what_the_other_serves(settings, redis_url):
    shared = dataclasses.replace(settings, redis_url=redis_url, redis_prefix=f"test-{uuid.uuid4().hex[:8]}")
    environment = environment_for(shared)
    worker_a = BackendProcess(environment, free_port())
    worker_b = BackendProcess(environment, free_port())
    sockets: list[RecordingClient] = []
    try:
        await asyncio.gather(worker_a.start(), worker_b.start())
        async with (
            httpx.AsyncClient(base_url=worker_a.url) as http_a,
            httpx.AsyncClient(base_url=worker_b.url) as http_b,
        ):
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
    finally:
        await asyncio.gather(*(socket.disconnect() for socket in sockets), return_exceptions=True)
        await asyncio.gather(worker_a.stop(), worker_b.stop())


async def test_a_worker_holding_no_socket_forgets_a_changed_profile_too(settings, redis_url):
    """Events reach only the workers with a socket that wants them, but any worker may answer a REST request
    from its profile cache: profile changes reach every worker."""
    shared = dataclasses.replace(settings, redis_url=redis_url, redis_prefix=f"test-{uuid.uuid4().hex[:8]}")
    environment = environment_for(shared)
    worker_a = BackendProcess(environment, free_port())
    worker_b = BackendProcess(environment, free_port())
    try:
        await asyncio.gather(worker_a.start(), worker_b.start())
        async with (
            httpx.AsyncClient(base_url=worker_a.url) as http_a,
            httpx.AsyncClient(base_url=worker_b.url) as http_b,
        ):
            alice, bob = await sign_up(http_a), await sign_up(http_b)
            first = await send_dm(http_b, bob, alice, "B caches alice's profile")
            assert first["recipient"]["name"] == alice.name

            renamed = await http_a.patch("/api/me", headers=alice.headers, json={"name": "Alice Renamed"})
            assert renamed.status_code == 200
            deadline = asyncio.get_running_loop().time() + 10
            while (await send_dm(http_b, bob, alice, "who are you now?"))["recipient"]["name"] != "Alice Renamed":
                assert asyncio.get_running_loop().time() < deadline, "worker B still serves the old name"
                await asyncio.sleep(0.1)
    finally:
        await asyncio.gather(worker_a.stop(), worker_b.stop())
