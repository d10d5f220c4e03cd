"""`confab edit/delete/react`, and `confab tail` printing changes live and after a reconnection."""

from __future__ import annotations

import json

import httpx

from tests.conftest import free_port
from tests.support.accounts import PASSWORD, sign_up
from tests.support.changes import delete, edit, react
from tests.support.cli import RunningConfab
from tests.support.messages import send_dm
from tests.support.processes import BackendProcess, environment_for


async def test_edit_react_and_delete_from_the_command_line(confab, log_in_as, make_user, server, http):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "trois petit chats")
    await log_in_as(alice)
    url = ("--url", server.url)

    edited = await confab("edit", *url, str(sent["id"]), "trois", "petits", "chats")
    assert (edited.exit_code, edited.stdout) == (0, f"edited #{sent['id']}\n"), edited.stderr
    reacted = await confab("react", *url, str(sent["id"]), "🐱")
    assert reacted.stdout == f"reacted 🐱 on #{sent['id']}; reactions now: 🐱 1\n"
    history = await confab("history", *url, "--with", bob.nickname)
    assert history.lines[-1].endswith(f"{alice.nickname} -> {bob.nickname}: trois petits chats (edited)  [🐱 1]")
    removed = await confab("react", *url, str(sent["id"]), "🐱", "--remove", "--json")
    assert json.loads(removed.stdout)["reactions"] == []

    bad = await confab("react", *url, str(sent["id"]), "cat")
    assert bad.exit_code == 1
    assert "must be exactly one emoji" in bad.stderr
    not_yours = await send_dm(http, bob, alice, "bob's")
    refused = await confab("edit", *url, str(not_yours["id"]), "mine now")
    assert (refused.exit_code, refused.stderr) == (1, "confab: only the author can edit a message\n")

    deleted = await confab("delete", *url, str(sent["id"]))
    assert (deleted.exit_code, deleted.stdout) == (0, f"deleted #{sent['id']}\n")
    history = await confab("history", *url, "--with", bob.nickname)
    assert f"#{sent['id']} {alice.nickname} -> {bob.nickname}: (deleted)" in history.lines[0]
    bobs = (await http.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
    assert [(m["content"], m["deleted"]) for m in bobs] == [("", True), ("bob's", False)]


async def test_tail_prints_changes_live_and_those_made_while_it_was_away(confab, config_home, settings):
    environment = environment_for(settings)
    port = free_port()
    backend = await BackendProcess(environment, port).start()
    tail: RunningConfab | None = None
    try:
        async with httpx.AsyncClient(base_url=backend.url, timeout=10) as http:
            alice, bob = await sign_up(http), await sign_up(http)
            old = await send_dm(http, bob, alice, "written before tail started")
            logged_in = await confab("login", alice.nickname, "--url", backend.url, "--password", PASSWORD)
            assert logged_in.exit_code == 0, logged_in.stderr

            tail = await RunningConfab.start("tail", "--url", backend.url, config_home=config_home)
            await tail.wait_for_line("listening as", stream="stderr")
            await edit(http, bob, old["id"], "edited live")
            assert (await tail.wait_for_line("edited live")).endswith(
                f"#{old['id']} changed {bob.nickname} -> {alice.nickname}: edited live (edited)"
            )

            await backend.stop()
            await tail.wait_for_line("cannot reconnect", stream="stderr")
            # the changes go through another server on the same database, so the tail (which retries
            # its own address) cannot come back before all of them are made
            elsewhere = await BackendProcess(environment, free_port()).start()
            try:
                async with httpx.AsyncClient(base_url=elsewhere.url, timeout=10) as away:
                    await react(away, bob, old["id"], "👀")
                    await delete(away, bob, old["id"])
                    fresh = await send_dm(away, bob, alice, "new while away")
            finally:
                await elsewhere.stop()
            backend = await BackendProcess(environment, port).start()
            await tail.wait_for_line("new while away", timeout=40)
            await tail.wait_for_line("reconnected; catching up after seq", stream="stderr")
            await edit(http, bob, fresh["id"], "new while away, and edited after")
            await tail.wait_for_line("and edited after")

        assert await tail.interrupt() == 0, tail.stderr
        # the reaction and the delete were made while away: the replay shows the message once, deleted
        assert [line.split(" ", 2)[2] for line in tail.stdout] == [
            f"#{old['id']} changed {bob.nickname} -> {alice.nickname}: edited live (edited)",
            f"#{old['id']} changed {bob.nickname} -> {alice.nickname}: (deleted)",
            f"#{fresh['id']} {bob.nickname} -> {alice.nickname}: new while away",
            f"#{fresh['id']} changed {bob.nickname} -> {alice.nickname}: new while away, and edited after (edited)",
        ]
    finally:
        if tail is not None and tail.process.returncode is None:
            tail.process.kill()
        await backend.stop()
