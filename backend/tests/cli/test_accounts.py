"""`confab signup/login/logout/whoami`: tokens stored per server, privately, revoked on logout; clear failures."""

from __future__ import annotations

import json
import stat

from tests.conftest import free_port
from tests.support.accounts import PASSWORD, unique_nickname


async def test_signup_logs_in_and_stores_a_private_token_per_server(confab, config_home, server, http):
    nickname = unique_nickname("cli")
    signed_up = await confab(
        "signup", nickname, "--email", f"{nickname}@example.com", "--url", server.url, "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert signed_up.exit_code == 0, signed_up.stderr
    assert f"signed up as {nickname}" in signed_up.stdout

    stored = config_home / "confab" / "credentials.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert json.loads(stored.read_text())[server.url]["nickname"] == nickname

    whoami = await confab("--url", server.url, "whoami")
    assert whoami.exit_code == 0, whoami.stderr
    assert whoami.stdout.startswith(f"{nickname} (")
    assert f"{nickname}@example.com" in whoami.stdout

    token = json.loads(stored.read_text())[server.url]["token"]
    assert (await confab("logout", "--url", server.url)).exit_code == 0
    assert server.url not in json.loads(stored.read_text())
    revoked = await http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
    logged_out = await confab("whoami", "--url", server.url)
    assert logged_out.exit_code == 4
    assert "not logged in" in logged_out.stderr


async def test_login_with_a_wrong_password_prints_the_servers_reason_and_exits_1(confab, make_user, server):
    alice = await make_user()
    refused = await confab("login", alice.nickname, "--url", server.url, "--password", "not the password")
    assert refused.exit_code == 1
    assert refused.stderr == "confab: wrong nickname or password\n"
    assert refused.stdout == ""


async def test_a_taken_nickname_is_refused_with_the_servers_detail(confab, make_user, server):
    alice = await make_user()
    taken = await confab(
        "signup", alice.nickname, "--email", "someone.else@example.com", "--url", server.url, "--password", PASSWORD
    )
    assert taken.exit_code == 1
    assert len(taken.stderr.splitlines()) == 1
    assert "taken" in taken.stderr or "exists" in taken.stderr


async def test_a_refused_token_means_log_in_again_exit_4(confab, config_home, server):
    stored = config_home / "confab" / "credentials.json"
    stored.parent.mkdir(parents=True)
    stored.write_text(json.dumps({server.url: {"token": "forged", "nickname": "mallory", "user_id": 1}}))
    result = await confab("users", "--url", server.url)
    assert result.exit_code == 4
    assert "confab login" in result.stderr


async def test_no_server_at_the_url_exits_3(confab):
    result = await confab("login", "alice", "--url", f"http://127.0.0.1:{free_port()}", "--password", PASSWORD)
    assert result.exit_code == 3
    assert "cannot reach" in result.stderr


async def test_usage_errors_exit_2(confab):
    assert (await confab("send", "no target given")).exit_code == 2
    assert (await confab("history", "--with", "bob", "--room", "general")).exit_code == 2
    assert (await confab("login", "alice")).exit_code == 2  # no terminal to ask the password on


async def test_the_url_can_come_from_confab_url(confab, make_user, server):
    alice = await make_user()
    logged_in = await confab("login", alice.nickname, "--password", PASSWORD, environment={"CONFAB_URL": server.url})
    assert logged_in.exit_code == 0, logged_in.stderr
    assert (await confab("whoami", "--url", server.url + "/")).exit_code == 0  # same server, same stored token
