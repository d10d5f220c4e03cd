"""Changing one's name, email and status: the account, what everybody reads, and who is told live."""

from __future__ import annotations

from tests.support.accounts import PASSWORD, sign_up, unique_nickname
from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle


async def test_a_new_name_and_status_are_what_everybody_reads_old_messages_included(http, make_user):
    old_word = unique_nickname("w")
    alice, bob = await make_user(name=f"Alice {old_word}"), await make_user()
    earlier = await send_dm(http, alice, bob, "before the change")

    changed = await http.patch(
        "/api/me", headers=alice.headers, json={"name": "Alice Renamed", "status": "Down the rabbit hole"}
    )
    assert changed.status_code == 200, changed.text
    account = changed.json()
    assert (account["name"], account["status"], account["nickname"]) == (
        "Alice Renamed",
        "Down the rabbit hole",
        alice.nickname,
    )
    assert account["email"] == alice.email
    assert (await http.get("/api/me", headers=alice.headers)).json() == account

    profile = (await http.get(f"/api/users/{alice.id}", headers=bob.headers)).json()
    assert (profile["name"], profile["status"], profile["deleted"]) == ("Alice Renamed", "Down the rabbit hole", False)
    history = (await http.get(f"/api/messages?with={alice.id}", headers=bob.headers)).json()
    assert [(m["id"], m["author"]["name"]) for m in history] == [(earlier["id"], "Alice Renamed")]
    later = await send_dm(http, alice, bob, "after the change")
    assert later["author"]["name"] == "Alice Renamed"
    assert later["author"]["status"] == "Down the rabbit hole"
    to_alice = await send_dm(http, bob, alice, "reply")
    assert to_alice["recipient"]["name"] == "Alice Renamed"  # the recipient comes from the profile cache

    found = (await http.get("/api/users", params={"q": "alice renamed"}, headers=bob.headers)).json()
    assert alice.id in [person["id"] for person in found]
    assert (await http.get("/api/users", params={"q": old_word}, headers=bob.headers)).json() == []

    cleared = await http.patch("/api/me", headers=alice.headers, json={"status": ""})
    assert (cleared.json()["status"], cleared.json()["name"]) == ("", "Alice Renamed")


async def test_fields_left_out_stay_and_nicknames_never_change(http, make_user):
    alice = await make_user()
    unchanged = await http.patch("/api/me", headers=alice.headers, json={})
    assert unchanged.status_code == 200
    assert (unchanged.json()["name"], unchanged.json()["status"]) == (alice.name, "")
    refused = await http.patch("/api/me", headers=alice.headers, json={"nickname": "someone-else"})
    assert refused.status_code == 400
    assert (await http.get("/api/me", headers=alice.headers)).json()["nickname"] == alice.nickname


async def test_bad_profile_input_is_a_400_and_changes_nothing(http, make_user):
    alice = await make_user()
    for body in (
        {"status": "x" * 101},
        {"status": "tab\there"},
        {"name": "   "},
        {"name": ""},
        {"name": "ok", "status": 5},
        {"email": "not an address"},
    ):
        response = await http.patch("/api/me", headers=alice.headers, json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["detail"]
    me = (await http.get("/api/me", headers=alice.headers)).json()
    assert (me["name"], me["status"], me["email"]) == (alice.name, "", alice.email)
    assert (await http.patch("/api/me", headers=alice.headers, json={"status": "x" * 100})).status_code == 200


async def test_a_new_email_needs_the_current_password_and_must_be_free(http, make_user):
    alice, bob = await make_user(), await make_user()
    new_email = f"{unique_nickname()}@example.org"
    missing = await http.patch("/api/me", headers=alice.headers, json={"email": new_email})
    assert missing.status_code == 400
    assert "current_password" in missing.json()["detail"]
    wrong = await http.patch(
        "/api/me", headers=alice.headers, json={"email": new_email, "current_password": "not my password"}
    )
    assert wrong.status_code == 403
    taken = await http.patch(
        "/api/me", headers=alice.headers, json={"email": bob.email.upper(), "current_password": PASSWORD}
    )
    assert taken.status_code == 409
    renaming_too = await http.patch(
        "/api/me",
        headers=alice.headers,
        json={"email": bob.email, "current_password": PASSWORD, "name": "Not Saved", "status": "not saved"},
    )
    assert renaming_too.status_code == 409
    unchanged = (await http.get("/api/me", headers=alice.headers)).json()
    assert (unchanged["name"], unchanged["status"]) == (alice.name, "")
    assert (await http.get("/api/me", headers=alice.headers)).json()["email"] == alice.email

    moved = await http.patch(
        "/api/me", headers=alice.headers, json={"email": new_email, "current_password": PASSWORD, "name": "A"}
    )
    assert moved.status_code == 200
    assert (moved.json()["email"], moved.json()["name"]) == (new_email, "A")
    # the old address is free again
    newcomer = await http.post(
        "/api/users",
        json={"name": "N", "email": alice.email, "nickname": unique_nickname(), "password": PASSWORD},
    )
    assert newcomer.status_code == 201, newcomer.text


async def test_user_updated_reaches_exactly_the_people_who_share_a_conversation_once(http, make_user, server):
    alice, correspondent, room_mate, stranger, other = (
        await make_user(),
        await make_user(),
        await make_user(),
        await make_user(),
        await make_user(),
    )
    await send_dm(http, correspondent, alice, "hi alice")
    await create_room(http, alice, members=[room_mate])
    await create_room(http, stranger, members=[other])
    sockets = {
        "alice": await RecordingClient().connect(server.url, alice.token),
        "correspondent": await RecordingClient().connect(server.url, correspondent.token),
        "room_mate": await RecordingClient().connect(server.url, room_mate.token),
        "stranger": await RecordingClient().connect(server.url, stranger.token),
    }
    try:
        changed = await http.patch("/api/me", headers=alice.headers, json={"name": "Alice Live", "status": "here"})
        assert changed.status_code == 200
        for name in ("alice", "correspondent", "room_mate"):
            update = await sockets[name].wait_for("user_updated")
            assert update == {
                "id": alice.id,
                "name": "Alice Live",
                "nickname": alice.nickname,
                "status": "here",
                "avatar_url": None,
                "deleted": False,
            }
        proof = await send_dm(http, other, stranger, "the stranger's socket is live")
        await sockets["stranger"].wait_for("message", lambda message: message["id"] == proof["id"])
        await settle()
        for name in ("alice", "correspondent", "room_mate"):
            assert len(sockets[name].received("user_updated")) == 1, name
        assert sockets["stranger"].received("user_updated") == []
    finally:
        for socket in sockets.values():
            await socket.disconnect()


async def test_a_socket_opened_before_a_rename_sends_under_the_new_name(http, make_user, server):
    alice, bob = await make_user(), await make_user()
    socket = await RecordingClient().connect(server.url, alice.token)
    try:
        await http.patch("/api/me", headers=alice.headers, json={"name": "Alice Later"})
        ack = await socket.call("send", {"recipient_id": bob.id, "content": "from the old socket"})
        assert ack["ok"] is True, ack
        assert ack["message"]["author"]["name"] == "Alice Later"
    finally:
        await socket.disconnect()


async def test_a_room_shows_its_members_new_names(http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    await post_to_room(http, bob, room["id"], "hello")
    await http.patch("/api/me", headers=bob.headers, json={"name": "Bob Renamed"})
    shown = (await http.get(f"/api/rooms/{room['id']}", headers=alice.headers)).json()
    assert {member["id"]: member["name"] for member in shown["members"]}[bob.id] == "Bob Renamed"
    listed = (await http.get("/api/rooms", headers=alice.headers)).json()
    assert [entry["last_message"]["author"]["name"] for entry in listed if entry["id"] == room["id"]] == ["Bob Renamed"]


async def test_changing_the_profile_needs_a_token(http):
    assert (await http.patch("/api/me", json={"name": "x"})).status_code == 401
    other = await sign_up(http)
    assert (await http.patch("/api/me", headers=other.headers, json={"name": "fine"})).status_code == 200
