"""SIGTERM drains: requests in flight finish, sockets are closed with a reason, the process exits 0 in time."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx

from tests.conftest import free_port
from tests.support.accounts import sign_up
from tests.support.processes import BackendProcess, environment_for
from tests.support.sockets import RecordingClient

GRACE_SECONDS = 8


async def test_sigterm_finishes_in_flight_requests_and_exits_cleanly(settings, http):
    backend = BackendProcess(environment_for(settings, SHUTDOWN_GRACE_SECONDS=str(GRACE_SECONDS)), free_port())
    await backend.start()
    try:
        async with httpx.AsyncClient(base_url=backend.url, timeout=30) as draining:
            alice, bob = await sign_up(draining), await sign_up(draining)
            socket = await RecordingClient().connect(backend.url, bob.token)
            reasons: list[str] = []
            socket.client.on("disconnect", lambda reason=None: reasons.append(str(reason)))

            async def send(i: int) -> httpx.Response | Exception:
                body = {"recipient_id": bob.id, "content": f"m{i}", "client_id": f"drain-{i:04d}"}
                try:
                    return await draining.post("/api/messages", headers=alice.headers, json=body)
                except httpx.TransportError as error:
                    return error

            in_flight = [asyncio.create_task(send(i)) for i in range(40)]
            await asyncio.sleep(0.05)
            started = time.monotonic()
            backend.process.send_signal(signal.SIGTERM)
            outcomes = await asyncio.gather(*in_flight)
            exit_code = await backend.stop(timeout=GRACE_SECONDS + 10)
            took = time.monotonic() - started
        answered = {o.json()["client_id"] for o in outcomes if isinstance(o, httpx.Response) and o.status_code == 201}
        assert answered, "some requests should have been in flight"
        assert all(isinstance(o, httpx.TransportError) or o.status_code == 201 for o in outcomes)
        # A request the server took on was answered: nothing is stored that the client was not told about
        # (a request that never reached the handler may fail, e.g. on a keep-alive connection being closed).
        stored = (await http.get("/api/messages", headers=bob.headers, params={"limit": 200})).json()
        assert {message["client_id"] for message in stored} == answered
        assert exit_code == 0
        assert took < GRACE_SECONDS + 5
        assert await socket.wait_disconnected()
        assert reasons  # the client was told (transport closed with 1012 "service restart"): it reconnects
    finally:
        await backend.stop(signal.SIGKILL)
