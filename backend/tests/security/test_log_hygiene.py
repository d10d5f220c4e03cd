"""The server's logs never contain passwords, tokens or message contents."""

from __future__ import annotations

import httpx

from tests.conftest import free_port
from tests.support.accounts import PASSWORD, sign_up
from tests.support.processes import BackendProcess, environment_for
from tests.support.sockets import RecordingClient


async def test_logs_hold_no_secrets_and_no_message_contents(settings):
    backend = BackendProcess(environment_for(settings), free_port())
    secret_words = "the-cake-is-a-lie-1234"
    try:
        await backend.start()
        async with httpx.AsyncClient(base_url=backend.url) as http:
            alice, bob = await sign_up(http), await sign_up(http)
            socket = await RecordingClient().connect(backend.url, alice.token)
            sent = await http.post(
                "/api/messages", headers=alice.headers, json={"recipient_id": bob.id, "content": secret_words}
            )
            assert sent.status_code == 201
            ack = await socket.call("send", {"recipient_id": bob.id, "content": secret_words + "-socket"})
            assert ack["ok"]
            await http.post("/api/auth/token", json={"nickname": alice.nickname, "password": "wrong " + PASSWORD})
            await http.get("/api/me", headers={"Authorization": "Bearer not-a-real-token-abcdef"})
            await socket.disconnect()
    finally:
        await backend.stop()
    log = backend.log()
    assert "POST /api/messages" in log  # the log is real and has requests in it
    for forbidden in (PASSWORD, secret_words, alice.token, "not-a-real-token-abcdef", settings.secret_key):
        assert forbidden not in log
