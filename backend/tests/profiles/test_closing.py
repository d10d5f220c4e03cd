"""Closing an account: erased, signed out everywhere at once, gone from rooms, and others' histories still whole."""

from __future__ import annotations

from sqlalchemy import func, select

from confab.domain.accounts.models import DirectoryKeyModel, UserModel
from confab.domain.rooms.models import RoomModel
from confab.domain.sessions.models import SessionModel
from tests.support.accounts import PASSWORD, sign_up, unique_nickname
from tests.support.files import png, uploaded
from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle


async def close(http, account, password=PASSWORD):
    return await http.request("DELETE", "/api/me", headers=account.headers, json={"password": password})


async def test_a_wrong_password_closes_nothing(http, make_user):
    alice = await make_user()
    refused = await close(http, alice, "not my password")
    assert refused.status_code == 403
    assert (await http.request("DELETE", "/api/me", headers=alice.headers, json={})).status_code == 400
    me = await http.get("/api/me", headers=alice.headers)
    assert me.status_code == 200
    assert me.json()["deleted"] is False


async def test_closing_erases_the_account_ends_every_session_and_tells_everyone_who_shared_a_conversation(
    http, make_user, server
):
    alice, bob, carol, stranger = await make_user(), await make_user(), await make_user(), await make_user()
    dm = await send_dm(http, alice, bob, "remember me")
    room = await create_room(http, alice, members=[bob, carol])  # bob joined first: he inherits the room
    said = await post_to_room(http, alice, room["id"], "my last words")
    avatar = await uploaded(http, alice, png(), "me.png")
    await http.put("/api/me/avatar", headers=alice.headers, json={"file_id": avatar["id"]})
    unsent = await uploaded(http, alice, png(color=(0, 0, 0)), "draft.png")
    await http.patch("/api/me", headers=alice.headers, json={"status": "leaving"})
    second_login = await http.post("/api/auth/token", json={"nickname": alice.nickname, "password": PASSWORD})
    other_token = second_login.json()["access_token"]

    alice_socket = await RecordingClient().connect(server.url, alice.token)
    alice_other_socket = await RecordingClient().connect(server.url, other_token)
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    carol_socket = await RecordingClient().connect(server.url, carol.token)
    stranger_socket = await RecordingClient().connect(server.url, stranger.token)
    sockets = [alice_socket, alice_other_socket, bob_socket, carol_socket, stranger_socket]
    try:
        closed = await close(http, alice)
        assert closed.status_code == 204, closed.text

        for socket in (alice_socket, alice_other_socket):
            assert (await socket.wait_for("session_ended")) == {"reason": "account closed"}
            assert await socket.wait_disconnected()
        assert (await http.get("/api/me", headers=alice.headers)).status_code == 401
        other_headers = {"Authorization": f"Bearer {other_token}"}
        assert (await http.get("/api/me", headers=other_headers)).status_code == 401
        login = await http.post("/api/auth/token", json={"nickname": alice.nickname, "password": PASSWORD})
        assert login.status_code == 401

        tombstone = {
            "id": alice.id,
            "name": "Deleted user",
            "nickname": f"deleted-{alice.id}",
            "status": "",
            "avatar_url": None,
            "deleted": True,
        }
        assert await bob_socket.wait_for("user_updated") == tombstone
        assert await carol_socket.wait_for("user_updated") == tombstone
        handed_over = await bob_socket.wait_for(
            "room", lambda event: alice.id not in [m["id"] for m in event["members"]]
        )
        assert handed_over["owner"]["id"] == bob.id
        assert [member["id"] for member in handed_over["members"]] == [bob.id, carol.id]
        proof = await send_dm(http, bob, stranger, "the stranger's socket is live")
        await stranger_socket.wait_for("message", lambda message: message["id"] == proof["id"])
        await settle()
        assert stranger_socket.received("user_updated") == []
        assert len(bob_socket.received("user_updated")) == 1

        # others' histories stay readable, under the erased profile
        history = (await http.get(f"/api/messages?with={alice.id}", headers=bob.headers)).json()
        assert [(m["id"], m["content"], m["author"]) for m in history] == [(dm["id"], "remember me", tombstone)]
        in_room = (await http.get(f"/api/rooms/{room['id']}/messages", headers=carol.headers)).json()
        assert [(m["id"], m["author"]["name"]) for m in in_room] == [(said["id"], "Deleted user")]
        assert (await http.get(f"/api/users/{alice.id}", headers=bob.headers)).json() == tombstone

        # gone from the directory, and nothing can be written to them
        everybody = (await http.get("/api/users", headers=bob.headers)).json()
        assert alice.id not in [person["id"] for person in everybody]
        conversations = (await http.get("/api/users", params={"conversations": "true"}, headers=bob.headers)).json()
        assert [person for person in conversations if person["id"] == alice.id] == [
            {**tombstone, "online": False, "unread": 1, "mentions_unread": 0}
        ]
        assert (await http.get("/api/users", params={"q": alice.nickname}, headers=bob.headers)).json() == []
        to_closed = await http.post(
            "/api/messages", headers=bob.headers, json={"recipient_id": alice.id, "content": "still there?"}
        )
        assert to_closed.status_code == 403
        assert "closed" in to_closed.json()["detail"]
        other_room = await create_room(http, bob, members=[carol])
        added = await http.post(
            f"/api/rooms/{other_room['id']}/members", headers=bob.headers, json={"user_id": alice.id}
        )
        assert added.status_code == 403
        new_room = await http.post("/api/rooms", headers=bob.headers, json={"name": "x", "member_ids": [alice.id]})
        assert new_room.status_code == 403
        assert (await http.get(avatar["thumbnail_url"])).status_code == 404
        assert (await http.get(unsent["url"])).status_code == 404
    finally:
        for socket in sockets:
            await socket.disconnect()

    async with server.app.state.database_config.create_session_maker()() as db:
        row = await db.get(UserModel, alice.id)
        assert (row.name, row.nickname, row.status, row.avatar_file_id) == (
            "Deleted user",
            f"deleted-{alice.id}",
            "",
            None,
        )
        assert row.email != alice.email and "@" not in row.email
        assert row.password_hash == ""
        assert row.deleted_at is not None
        assert await db.scalar(select(func.count()).where(SessionModel.user_id == alice.id)) == 0
        assert await db.scalar(select(func.count()).where(DirectoryKeyModel.user_id == alice.id)) == 0


async def test_the_nickname_and_email_are_free_again_and_the_newcomer_inherits_nothing(http, make_user, server):
    alice, bob = await make_user(), await make_user()
    old = await send_dm(http, alice, bob, "from the old alice")
    assert (await close(http, alice)).status_code == 204

    newcomer = await http.post(
        "/api/users",
        json={"name": "New Alice", "email": alice.email.upper(), "nickname": alice.nickname, "password": PASSWORD},
    )
    assert newcomer.status_code == 201, newcomer.text
    new_alice = await sign_up_again(http, alice.nickname)
    assert new_alice["user"]["id"] != alice.id
    socket = await RecordingClient().connect(server.url, new_alice["access_token"])
    try:
        # a change to the closed account's DMs goes to its (now empty) audience, not to whoever took the nickname
        reacted = await http.put(f"/api/messages/{old['id']}/reactions/%F0%9F%91%8D", headers=bob.headers)
        assert reacted.status_code == 200
        await settle(0.5)
        assert socket.received("message_updated") == []
        new_headers = {"Authorization": f"Bearer {new_alice['access_token']}"}
        assert (await http.get(f"/api/messages?with={bob.id}", headers=new_headers)).json() == []
    finally:
        await socket.disconnect()


async def sign_up_again(http, nickname):
    login = await http.post("/api/auth/token", json={"nickname": nickname, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return login.json()


async def test_a_room_whose_only_member_closes_stays_frozen_without_owner(http, make_user, server):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice)
    await post_to_room(http, alice, room["id"], "alone")
    assert (await close(http, alice)).status_code == 204
    refused = await http.get(f"/api/rooms/{room['id']}", headers=bob.headers)
    assert refused.status_code == 403  # it still exists; nobody is in it and nobody can join it
    async with server.app.state.database_config.create_session_maker()() as db:
        frozen = await db.get(RoomModel, room["id"])
        assert (frozen.owner_id, frozen.memberships) == (None, [])


async def test_names_kept_for_closed_accounts_cannot_be_signed_up_for(http):
    refused = await http.post(
        "/api/users",
        json={"name": "Sneaky", "email": "sneaky@example.com", "nickname": "Deleted-12345", "password": PASSWORD},
    )
    assert refused.status_code == 400
    assert "deleted-" in refused.json()["detail"]
    allowed = unique_nickname("deleted-x")
    assert (await sign_up(http, nickname=allowed)).nickname == allowed
