"""`confab profile` shows and changes the profile; `confab close-account` closes it and forgets the token."""

from __future__ import annotations

import json

from tests.support.accounts import PASSWORD
from tests.support.files import png


async def test_profile_shows_and_changes_name_status_email_and_avatar(
    confab, log_in_as, make_user, server, http, tmp_path
):
    alice = await make_user()
    await log_in_as(alice)
    shown = await confab("profile", "--url", server.url)
    assert shown.exit_code == 0, shown.stderr
    assert shown.lines == [
        f"{alice.nickname} ({alice.name}, {alice.email}, id {alice.id})",
        "status: (none)",
        "avatar: none",
    ]

    changed = await confab("profile", "--name", "Alice CLI", "--status", "on the terminal", "--url", server.url)
    assert changed.exit_code == 0, changed.stderr
    assert changed.lines[:2] == [
        f"{alice.nickname} (Alice CLI, {alice.email}, id {alice.id})",
        "status: on the terminal",
    ]
    assert (await http.get("/api/me", headers=alice.headers)).json()["name"] == "Alice CLI"

    new_email = f"{alice.nickname}@example.net"
    wrong = await confab("profile", "--email", new_email, "--password-stdin", "--url", server.url, stdin="nope\n")
    assert wrong.exit_code == 1
    assert wrong.stderr == "confab: the current password is wrong\n"
    moved = await confab(
        "profile", "--email", new_email, "--password-stdin", "--json", "--url", server.url, stdin=PASSWORD
    )
    assert moved.exit_code == 0, moved.stderr
    assert json.loads(moved.stdout)["email"] == new_email

    picture = tmp_path / "me.png"
    picture.write_bytes(png())
    with_avatar = await confab("profile", "--avatar", str(picture), "--url", server.url)
    assert with_avatar.exit_code == 0, with_avatar.stderr
    assert with_avatar.lines[-1] == "avatar: yes"
    without = await confab("profile", "--no-avatar", "--url", server.url)
    assert without.lines[-1] == "avatar: none"
    both = await confab("profile", "--avatar", str(picture), "--no-avatar", "--url", server.url)
    assert both.exit_code == 2


async def test_close_account_needs_the_password_then_forgets_the_token(confab, log_in_as, make_user, server, http):
    alice = await make_user()
    await log_in_as(alice)
    refused = await confab("close-account", "--password-stdin", "--url", server.url, stdin="wrong password\n")
    assert refused.exit_code == 1
    assert refused.stderr == "confab: the password is wrong\n"
    closed = await confab("close-account", "--password-stdin", "--url", server.url, stdin=PASSWORD)
    assert closed.exit_code == 0, closed.stderr
    assert closed.stdout.startswith(f"closed the account {alice.nickname} on {server.url}")
    assert (await http.get("/api/me", headers=alice.headers)).status_code == 401
    after = await confab("whoami", "--url", server.url)
    assert after.exit_code == 4
