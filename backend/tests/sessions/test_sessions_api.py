"""`GET /api/me/sessions`, `DELETE /api/me/sessions/{id}` and `POST /api/auth/logout-all`: each login is a
session its owner sees (device, address, times, current) and can end, with its sockets, at once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update

from confab.db.types import utc_now
from confab.domain.accounts.models import UserModel
from confab.domain.accounts.tokens import issue_token
from confab.domain.sessions.models import SessionModel
from confab.domain.sessions.service import SessionService
from tests.sessions.conftest import CHROME_ON_WINDOWS, FIREFOX_ON_ANDROID
from tests.support.accounts import PASSWORD
from tests.support.sockets import RecordingClient, refusal, settle


async def sessions_of(http, device) -> list[dict]:
    listed = await http.get("/api/me/sessions", headers=device.headers)
    assert listed.status_code == 200, listed.text
    return listed.json()


async def test_each_login_is_listed_with_its_device_address_and_times_and_current_marks_mine(http, make_user, log_in):
    alice = await make_user()  # logged in once already, by a client with no browser User-Agent
    laptop = await log_in(alice, CHROME_ON_WINDOWS, "203.0.113.7")
    phone = await log_in(alice, FIREFOX_ON_ANDROID, "198.51.100.23")

    sessions = await sessions_of(http, laptop)
    assert [(s["device"], s["client_address"], s["current"]) for s in sessions] == [
        ("Unknown device", "127.0.0.1", False),
        ("Chrome on Windows", "203.0.113.7", True),
        ("Firefox on Android", "198.51.100.23", False),
    ]
    for session in sessions:
        created, used = datetime.fromisoformat(session["created_at"]), datetime.fromisoformat(session["last_used_at"])
        assert created <= used <= utc_now()
        assert utc_now() - created < timedelta(minutes=5)
    assert len({s["id"] for s in sessions}) == 3
    # The ids name sessions; nothing in the list is (part of) a token that could be used to act.
    for token in (alice.token, laptop.token, phone.token):
        assert all(s["id"] not in token for s in sessions)
    assert [s["current"] for s in await sessions_of(http, phone)] == [False, False, True]

    bob = await make_user()
    assert len(await sessions_of(http, bob)) == 1


async def test_ending_a_session_revokes_its_token_and_closes_only_its_sockets(server, http, make_user, log_in):
    alice = await make_user()
    laptop = await log_in(alice, CHROME_ON_WINDOWS)
    phone = await log_in(alice, FIREFOX_ON_ANDROID)
    phone_id = next(s["id"] for s in await sessions_of(http, laptop) if s["device"] == "Firefox on Android")
    phone_socket = await RecordingClient().connect(server.url, phone.token)
    laptop_socket = await RecordingClient().connect(server.url, laptop.token)
    first_socket = await RecordingClient().connect(server.url, alice.token)
    try:
        ended = await http.delete(f"/api/me/sessions/{phone_id}", headers=laptop.headers)
        assert ended.status_code == 204, ended.text
        assert await phone_socket.wait_for("session_ended") == {"reason": "ended from another device"}
        assert await phone_socket.wait_disconnected()
        assert (await http.get("/api/me", headers=phone.headers)).status_code == 401
        assert "revoked" in await refusal(server.url, {"token": phone.token})

        await settle()
        for socket in (laptop_socket, first_socket):
            assert socket.client.connected and socket.received("session_ended") == []
        for device in (laptop, alice):
            assert (await http.get("/api/me", headers=device.headers)).status_code == 200
        assert phone_id not in [s["id"] for s in await sessions_of(http, laptop)]
        again = await http.delete(f"/api/me/sessions/{phone_id}", headers=laptop.headers)
        assert again.status_code == 404
    finally:
        await laptop_socket.disconnect()
        await first_socket.disconnect()


async def test_ending_my_own_session_is_logging_out(server, http, make_user):
    alice = await make_user()
    socket = await RecordingClient().connect(server.url, alice.token)
    (mine,) = await sessions_of(http, alice)
    assert (await http.delete(f"/api/me/sessions/{mine['id']}", headers=alice.headers)).status_code == 204
    assert await socket.wait_for("session_ended") == {"reason": "logged out"}
    assert (await http.get("/api/me/sessions", headers=alice.headers)).status_code == 401


async def test_another_users_session_id_is_not_found_and_stays_alive(http, make_user):
    alice, mallory = await make_user(), await make_user()
    (alices,) = await sessions_of(http, alice)
    refused = await http.delete(f"/api/me/sessions/{alices['id']}", headers=mallory.headers)
    assert refused.status_code == 404
    assert refused.json() == {"status_code": 404, "detail": f"you have no session with id {alices['id']!r}"}
    assert (await http.get("/api/me", headers=alice.headers)).status_code == 200
    assert (await http.delete("/api/me/sessions/no-such-session", headers=alice.headers)).status_code == 404
    assert (await http.delete(f"/api/me/sessions/{'x' * 33}", headers=alice.headers)).status_code == 400
    assert (await http.delete(f"/api/me/sessions/{alices['id']}")).status_code == 401


async def test_logout_all_ends_every_other_session_and_keeps_mine_and_its_sockets(server, http, make_user, log_in):
    alice = await make_user()
    laptop = await log_in(alice, CHROME_ON_WINDOWS)
    phone = await log_in(alice, FIREFOX_ON_ANDROID)
    bob = await make_user()
    sockets = {
        name: await RecordingClient().connect(server.url, device.token)
        for name, device in {"alice": alice, "laptop": laptop, "phone": phone, "bob": bob}.items()
    }
    try:
        assert (await http.post("/api/auth/logout-all", headers=laptop.headers)).status_code == 204
        for name in ("alice", "phone"):
            assert await sockets[name].wait_for("session_ended") == {"reason": "ended from another device"}
            assert await sockets[name].wait_disconnected()
        await settle()
        for name in ("laptop", "bob"):
            assert sockets[name].client.connected and sockets[name].received("session_ended") == []
        for device in (alice, phone):
            assert (await http.get("/api/me", headers=device.headers)).status_code == 401
        assert [(s["device"], s["current"]) for s in await sessions_of(http, laptop)] == [("Chrome on Windows", True)]
        assert (await http.get("/api/me", headers=bob.headers)).status_code == 200
        assert (await http.post("/api/auth/logout-all", headers=laptop.headers)).status_code == 204
    finally:
        await sockets["laptop"].disconnect()
        await sockets["bob"].disconnect()


async def test_a_password_change_ends_every_session_and_its_token_is_a_new_one(http, make_user, log_in):
    alice = await make_user()
    phone = await log_in(alice, FIREFOX_ON_ANDROID)
    changed = await http.put(
        "/api/me/password",
        headers={**alice.headers, "User-Agent": CHROME_ON_WINDOWS},
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
    )
    assert changed.status_code == 200
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    listed = await http.get("/api/me/sessions", headers=fresh)
    assert [(s["device"], s["current"]) for s in listed.json()] == [("Chrome on Windows", True)]
    assert (await http.get("/api/me", headers=phone.headers)).status_code == 401


async def test_last_used_is_written_once_a_minute_not_on_every_request(server, http, make_user):
    alice = await make_user()
    (session,) = await sessions_of(http, alice)
    maker = server.app.state.database_config.create_session_maker()

    async def set_last_used(moment: datetime) -> None:
        async with maker() as db:
            await db.execute(update(SessionModel).where(SessionModel.id == session["id"]).values(last_used_at=moment))
            await db.commit()

    async def last_used() -> datetime:
        async with maker() as db:
            return await db.scalar(select(SessionModel.last_used_at).where(SessionModel.id == session["id"]))

    recent = utc_now() - timedelta(seconds=30)
    await set_last_used(recent)
    assert (await http.get("/api/me", headers=alice.headers)).status_code == 200
    assert await last_used() == recent

    stale = utc_now() - timedelta(minutes=5)
    await set_last_used(stale)
    before = utc_now()
    assert (await http.get("/api/me", headers=alice.headers)).status_code == 200
    assert await last_used() >= before
    listed = (await sessions_of(http, alice))[0]
    assert datetime.fromisoformat(listed["last_used_at"]) >= before


async def test_a_token_without_a_session_is_refused(server, http, make_user):
    """Tokens issued before sessions existed have no row: after the upgrade everybody logs in again."""
    alice = await make_user()
    maker = server.app.state.database_config.create_session_maker()
    async with maker() as db:
        user = await db.get(UserModel, alice.id)
    orphan = issue_token(server.app.state.jwt_auth, user, uuid.uuid4().hex)
    assert (await http.get("/api/me", headers={"Authorization": f"Bearer {orphan}"})).status_code == 401
    assert "revoked" in await refusal(server.url, {"token": orphan})


async def test_a_user_agent_with_control_characters_is_stored_without_them(server, http, make_user):
    """HTTP clients refuse to send NUL in a header, but a session must not depend on every proxy doing so."""
    alice = await make_user()
    async with server.app.state.database_config.create_session_maker()() as db:
        service = SessionService(session=db, hub=server.app.state.hub)
        opened = await service.open(alice.id, "192.0.2.1", "confab-cli/1.0\x00\x1b[31m" + "x" * 600)
    assert opened.user_agent.startswith("confab-cli/1.0[31m") and len(opened.user_agent) == 512
    listed = [s for s in await sessions_of(http, alice) if s["id"] == opened.id]
    assert [(s["device"], s["client_address"]) for s in listed] == [("confab CLI", "192.0.2.1")]
