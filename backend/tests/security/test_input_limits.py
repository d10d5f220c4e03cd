"""Oversized bodies and socket payloads are refused; malformed input is a 4xx with a detail, never a 500."""

from __future__ import annotations

import pytest
import socketio

from tests.support.sockets import RecordingClient


async def test_a_body_over_the_limit_is_413(http, make_user, server):
    alice, bob = await make_user(), await make_user()
    limit = server.settings.max_body_bytes
    huge = {"recipient_id": bob.id, "content": "x" * (limit + 10)}
    response = await http.post("/api/messages", headers=alice.headers, json=huge)
    assert response.status_code == 413
    assert response.json()["detail"]
    assert (await http.get("/api/messages", headers=bob.headers)).json() == []


async def test_a_streamed_body_over_the_limit_is_cut_off_with_413(http, make_user, server):
    alice = await make_user()

    async def chunks():
        for _ in range(server.settings.max_body_bytes // 1024 + 8):
            yield b" " * 1024

    response = await http.post(
        "/api/messages", headers={**alice.headers, "Content-Type": "application/json"}, content=chunks()
    )
    assert response.status_code == 413


async def test_a_socket_payload_over_the_limit_is_refused_and_nothing_is_stored(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    socket = await RecordingClient().connect(server.url, alice.token)
    payload = {"recipient_id": bob.id, "content": "x" * (server.settings.max_body_bytes + 10)}
    try:
        with pytest.raises(socketio.exceptions.SocketIOError):  # the server drops the connection: no ack comes back
            await socket.call("send", payload, timeout=3)
        assert await socket.wait_disconnected()
    finally:
        await socket.disconnect()
    assert (await http.get("/api/messages", headers=bob.headers)).json() == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/messages", b"[1, 2"),
        ("post", "/api/messages", b"\xff\xfe not utf-8"),
        ("post", "/api/messages", b'"just a string"'),
        ("post", "/api/rooms", b'{"name": 5}'),
        ("post", "/api/rooms", b'{"name": "ok", "member_ids": ["a"]}'),
        ("post", "/api/rooms", b'{"name": "ok", "member_ids": [99999999999999999999]}'),
        ("put", "/api/users/1/read", b'{"last_read_id": -1}'),
        ("put", "/api/rooms/1/read", b'{"last_read_id": "x"}'),
        ("get", "/api/rooms/abc/messages", None),
        ("get", "/api/users/1/messages?limit=1e9", None),
        ("get", "/api/users/1/messages?after=99999999999999999999999", None),
    ],
)
async def test_malformed_input_is_a_4xx_with_detail(http, make_user, method, path, body):
    alice = await make_user()
    headers = {**alice.headers, "Content-Type": "application/json"}
    response = await http.request(method.upper(), path, headers=headers, content=body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["detail"]
