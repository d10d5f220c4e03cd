"""Logging out revokes the token in use (and closes its sockets); a password change revokes all older ones."""

from __future__ import annotations

from tests.support.accounts import PASSWORD
from tests.support.sockets import RecordingClient, refusal, settle


async def second_token(http, account) -> dict[str, str]:
    login = await http.post("/api/auth/token", json={"nickname": account.nickname, "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_logout_revokes_only_the_token_in_use_and_closes_its_sockets(server, http, make_user):
    alice = await make_user()
    other_device = await second_token(http, alice)
    revoked_socket = await RecordingClient().connect(server.url, alice.token)
    other_socket = await RecordingClient().connect(server.url, other_device["Authorization"].split()[1])
    try:
        assert (await http.post("/api/auth/logout", headers=alice.headers)).status_code == 204
        assert await revoked_socket.wait_for("session_ended") == {"reason": "logged out"}
        assert await revoked_socket.wait_disconnected()
        assert (await http.get("/api/me", headers=alice.headers)).status_code == 401
        assert "revoked" in await refusal(server.url, {"token": alice.token})
        assert (await http.get("/api/me", headers=other_device)).status_code == 200
        assert other_socket.client.connected and other_socket.received("session_ended") == []
        assert (await http.post("/api/auth/logout", headers=alice.headers)).status_code == 401
    finally:
        await other_socket.disconnect()


async def test_changing_the_password_revokes_every_earlier_token(server, http, make_user):
    alice = await make_user()
    other_device = await second_token(http, alice)
    socket = await RecordingClient().connect(server.url, alice.token)
    other_socket = await RecordingClient().connect(server.url, other_device["Authorization"].split()[1])
    wrong = await http.put(
        "/api/me/password", headers=alice.headers, json={"current_password": "not it!", "new_password": "n" * 12}
    )
    assert wrong.status_code == 403
    assert (await http.get("/api/me", headers=alice.headers)).status_code == 200

    changed = await http.put(
        "/api/me/password", headers=alice.headers, json={"current_password": PASSWORD, "new_password": "n" * 12}
    )
    assert changed.status_code == 200
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    # Every device's socket is closed, not only the one whose token asked for the change.
    for device in (socket, other_socket):
        assert await device.wait_for("session_ended") == {"reason": "password changed"}
        assert await device.wait_disconnected()
    fresh_socket = await RecordingClient().connect(server.url, changed.json()["access_token"])
    await settle()
    assert fresh_socket.client.connected and fresh_socket.received("session_ended") == []
    await fresh_socket.disconnect()
    for headers in (alice.headers, other_device):
        assert (await http.get("/api/me", headers=headers)).status_code == 401
    assert (await http.get("/api/me", headers=fresh)).json()["id"] == alice.id
    old_login = await http.post("/api/auth/token", json={"nickname": alice.nickname, "password": PASSWORD})
    assert old_login.status_code == 401
    new_login = await http.post("/api/auth/token", json={"nickname": alice.nickname, "password": "n" * 12})
    assert new_login.status_code == 200
    short = await http.put("/api/me/password", headers=fresh, json={"current_password": "n" * 12, "new_password": "x"})
    assert short.status_code == 400
