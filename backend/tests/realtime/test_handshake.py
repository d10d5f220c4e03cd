"""The Socket.IO handshake: only a valid bearer token gets in, and the refusal says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from tests.support.sockets import RecordingClient, refusal


async def test_connections_without_a_valid_token_are_refused_with_a_reason(server, make_user):
    alice = await make_user()
    now = datetime.now(UTC)
    expired = jwt.encode(
        {"sub": str(alice.id), "iat": now - timedelta(hours=1), "exp": now - timedelta(seconds=1)},
        server.settings.secret_key,
        "HS256",
    )
    forged = jwt.encode({"sub": str(alice.id), "exp": now + timedelta(hours=1)}, "another-secret-" + "x" * 32, "HS256")
    for auth in (None, {}, {"token": ""}, {"token": 42}, {"token": "garbage"}, {"token": expired}, {"token": forged}):
        assert "unauthorized" in await refusal(server.url, auth), auth


async def test_a_valid_token_connects(server, make_user):
    alice = await make_user()
    client = await RecordingClient().connect(server.url, alice.token)
    assert client.client.connected
    await client.disconnect()
