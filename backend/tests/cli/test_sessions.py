"""`confab sessions`, `confab sessions end ID` and `confab logout --others/--all`."""

from __future__ import annotations

import json

from tests.support.sockets import RecordingClient


async def test_sessions_lists_the_cli_login_as_this_one_and_the_others(confab, log_in_as, make_user, server):
    alice = await make_user()  # one session from the test's own client
    await log_in_as(alice)
    listed = await confab("sessions", "--url", server.url)
    assert listed.exit_code == 0, listed.stderr
    assert len(listed.lines) == 2
    assert "Unknown device  from 127.0.0.1" in listed.lines[0] and "(this one)" not in listed.lines[0]
    assert "confab CLI  from 127.0.0.1" in listed.lines[1] and listed.lines[1].endswith("(this one)")

    as_json = await confab("sessions", "--json", "--url", server.url)
    sessions = json.loads(as_json.stdout)
    assert [(s["device"], s["current"]) for s in sessions] == [("Unknown device", False), ("confab CLI", True)]
    assert listed.lines[0].startswith(sessions[0]["id"] + "  ")


async def test_sessions_end_closes_that_session(confab, log_in_as, make_user, server, http):
    alice = await make_user()
    await log_in_as(alice)
    socket = await RecordingClient().connect(server.url, alice.token)
    other = json.loads((await confab("sessions", "--json", "--url", server.url)).stdout)[0]
    ended = await confab("sessions", "end", other["id"], "--url", server.url)
    assert ended.exit_code == 0, ended.stderr
    assert ended.stdout == f"ended session {other['id']}\n"
    assert await socket.wait_for("session_ended") == {"reason": "ended from another device"}
    assert (await http.get("/api/me", headers=alice.headers)).status_code == 401

    unknown = await confab("sessions", "end", other["id"], "--url", server.url)
    assert unknown.exit_code == 1
    assert unknown.stderr == f"confab: you have no session with id {other['id']!r}\n"


async def test_logout_others_keeps_this_login_and_logout_all_ends_every_one(confab, log_in_as, make_user, server, http):
    alice = await make_user()
    await log_in_as(alice)
    others = await confab("logout", "--others", "--url", server.url)
    assert others.exit_code == 0, others.stderr
    assert (await http.get("/api/me", headers=alice.headers)).status_code == 401
    remaining = json.loads((await confab("sessions", "--json", "--url", server.url)).stdout)
    assert [(s["device"], s["current"]) for s in remaining] == [("confab CLI", True)]

    second = await make_user()
    await log_in_as(second)
    everything = await confab("logout", "--all", "--url", server.url)
    assert everything.exit_code == 0, everything.stderr
    assert everything.lines == [f"ended every other session on {server.url}", f"logged out of {server.url}"]
    assert (await http.get("/api/me", headers=second.headers)).status_code == 401
    assert (await confab("sessions", "--url", server.url)).exit_code == 4


async def test_sessions_needs_a_login(confab, server):
    result = await confab("sessions", "--url", server.url)
    assert result.exit_code == 4
    assert "confab login" in result.stderr
    assert (await confab("logout", "--others", "--all", "--url", server.url)).exit_code == 2
