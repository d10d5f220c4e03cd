"""`confab tail`: live messages, a restart of the server survived with nothing lost or printed twice."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import free_port
from tests.support.accounts import PASSWORD, sign_up
from tests.support.cli import RunningConfab
from tests.support.messages import send_dm
from tests.support.processes import BackendProcess, environment_for


async def test_tail_prints_live_messages_and_catches_up_after_the_server_restarts(confab, config_home, settings):
    environment = environment_for(settings)
    port = free_port()
    backend = await BackendProcess(environment, port).start()
    tail: RunningConfab | None = None
    try:
        async with httpx.AsyncClient(base_url=backend.url, timeout=10) as http:
            alice, bob = await sign_up(http), await sign_up(http)
            earlier = await send_dm(http, bob, alice, "sent before tail started")
            logged_in = await confab("login", alice.nickname, "--url", backend.url, "--password", PASSWORD)
            assert logged_in.exit_code == 0, logged_in.stderr

            tail = await RunningConfab.start("tail", "--url", backend.url, config_home=config_home)
            await tail.wait_for_line("listening as", stream="stderr")
            live = await send_dm(http, bob, alice, "live one")
            assert (await tail.wait_for_line("live one")).endswith(
                f"#{live['id']} {bob.nickname} -> {alice.nickname}: live one"
            )

            await backend.stop()
            await tail.wait_for_line("connection lost", stream="stderr")
            await tail.wait_for_line("cannot reconnect", stream="stderr")
            backend = await BackendProcess(environment, port).start()
            missed = await send_dm(http, bob, alice, "sent while tail was away")
            await tail.wait_for_line("sent while tail was away", timeout=40)
            await tail.wait_for_line("reconnected; catching up", stream="stderr")
            after = await send_dm(http, alice, bob, "after the reconnection")
            await tail.wait_for_line("after the reconnection")

        exit_code = await tail.interrupt()
        assert exit_code == 0, tail.stderr
        assert not any("Traceback" in line for line in tail.stderr)
        printed = [line.split(" ")[2] for line in tail.stdout]
        assert printed == [f"#{live['id']}", f"#{missed['id']}", f"#{after['id']}"]
        assert f"#{earlier['id']}" not in printed
    finally:
        if tail is not None and tail.process.returncode is None:
            tail.process.kill()
        await backend.stop()


async def test_tail_replays_from_since_and_needs_a_login(confab, config_home, make_user, log_in_as, server, http):
    alice, bob = await make_user(), await make_user()
    not_logged_in = await confab("tail", "--url", server.url)
    assert not_logged_in.exit_code == 4

    first = await send_dm(http, bob, alice, "replayed with --since")
    await log_in_as(alice)
    tail = await RunningConfab.start(
        "tail", "--url", server.url, "--since", str(first["id"] - 1), config_home=config_home
    )
    try:
        await tail.wait_for_line("replayed with --since")
    finally:
        assert await tail.interrupt() == 0


async def test_tail_stops_with_exit_4_when_its_session_is_ended(
    confab, config_home, make_user, log_in_as, server, http
):
    alice = await make_user()
    await log_in_as(alice)
    tail = await RunningConfab.start("tail", "--url", server.url, config_home=config_home)
    try:
        await tail.wait_for_line("listening as", stream="stderr")
        assert (await confab("logout", "--url", server.url)).exit_code == 0
        assert await asyncio.wait_for(tail.process.wait(), 20) == 4
        await tail.wait_for_line("logged out", stream="stderr")
    finally:
        if tail.process.returncode is None:
            tail.process.kill()


async def test_tail_catches_up_on_resync_with_what_it_missed(config_home, make_user, log_in_as, server, http):
    alice, bob = await make_user(), await make_user()
    await log_in_as(alice)
    tail = await RunningConfab.start("tail", "--url", server.url, config_home=config_home)
    try:
        await tail.wait_for_line("listening as", stream="stderr")
        await send_dm(http, bob, alice, "seen live")
        await tail.wait_for_line("seen live")
        # Lose one delivery to tail's socket, as a relay outage would, then tell it to catch up.
        hub = server.app.state.hub
        (sid,) = [sid for sid, _ in hub.manager.get_participants("/", f"user:{alice.nickname}")]
        hub.manager.hold(sid)
        missed = await send_dm(http, bob, alice, "lost on the way")
        await hub.manager.send_to_socket(sid, "resync", {"lost_for": 1})
        await tail.wait_for_line("asked for a catch-up", stream="stderr")
        line = await tail.wait_for_line("lost on the way")
        assert f"#{missed['id']}" in line
        await send_dm(http, bob, alice, "live again")
        await tail.wait_for_line("live again")
    finally:
        assert await tail.interrupt() == 0
    assert sum("lost on the way" in line for line in tail.stdout) == 1
