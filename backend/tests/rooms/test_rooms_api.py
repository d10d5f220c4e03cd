"""Rooms over REST: creation, membership rules, ownership hand-over, room messages and history."""

from __future__ import annotations

import pytest

from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient


def public(account):
    return {
        "id": account.id,
        "name": account.name,
        "nickname": account.nickname,
        "status": "",
        "avatar_url": None,
        "deleted": False,
    }


async def test_creating_a_room_makes_the_creator_owner_and_first_member(http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, "  tea party ", members=[bob, alice])
    assert room["name"] == "  tea party "
    assert room["owner"] == public(alice)
    assert room["members"] == [public(alice), public(bob)]
    assert room["created_at"].endswith(("Z", "+00:00"))
    assert (await http.get(f"/api/rooms/{room['id']}", headers=bob.headers)).json() == room


async def test_unknown_member_ids_create_nothing(http, make_user):
    alice = await make_user()
    response = await http.post("/api/rooms", headers=alice.headers, json={"name": "ghosts", "member_ids": [10**12]})
    assert response.status_code == 404
    assert (await http.get("/api/rooms", headers=alice.headers)).json() == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "tab\tname"])
async def test_bad_room_names_are_400(http, make_user, name):
    alice = await make_user()
    response = await http.post("/api/rooms", headers=alice.headers, json={"name": name})
    assert response.status_code == 400
    assert "name" in response.json()["detail"]
    assert (await http.get("/api/rooms", headers=alice.headers)).json() == []


async def test_outsiders_get_403_on_every_room_route(http, make_user):
    alice, outsider = await make_user(), await make_user()
    room = await create_room(http, alice)
    await post_to_room(http, alice, room["id"], "members only")
    base = f"/api/rooms/{room['id']}"
    assert (await http.get(base, headers=outsider.headers)).status_code == 403
    assert (await http.get(f"{base}/messages", headers=outsider.headers)).status_code == 403
    post = await http.post(f"{base}/messages", headers=outsider.headers, json={"content": "let me in"})
    assert post.status_code == 403
    add_self = await http.post(f"{base}/members", headers=outsider.headers, json={"user_id": outsider.id})
    assert add_self.status_code == 403
    assert (await http.put(f"{base}/read", headers=outsider.headers, json={"last_read_id": 1})).status_code == 403
    assert (await http.delete(f"{base}/members/{alice.id}", headers=outsider.headers)).status_code == 403
    assert (await http.get("/api/rooms/999999999999", headers=outsider.headers)).status_code == 404
    history = (await http.get(f"{base}/messages", headers=alice.headers)).json()
    assert [m["content"] for m in history] == ["members only"]


async def test_any_member_may_add_and_adding_twice_changes_nothing(http, make_user):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    added = await http.post(f"/api/rooms/{room['id']}/members", headers=bob.headers, json={"user_id": carol.id})
    assert added.status_code == 200
    assert [m["id"] for m in added.json()["members"]] == [alice.id, bob.id, carol.id]
    again = await http.post(f"/api/rooms/{room['id']}/members", headers=bob.headers, json={"user_id": carol.id})
    assert again.status_code == 200
    assert again.json()["members"] == added.json()["members"]
    unknown = await http.post(f"/api/rooms/{room['id']}/members", headers=bob.headers, json={"user_id": 10**12})
    assert unknown.status_code == 404


async def test_leaving_removing_and_ownership_hand_over(http, make_user):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob, carol])
    base = f"/api/rooms/{room['id']}"
    assert (await http.delete(f"{base}/members/{carol.id}", headers=bob.headers)).status_code == 403
    assert (await http.delete(f"{base}/members/{carol.id}", headers=alice.headers)).status_code == 204
    assert (await http.get(base, headers=carol.headers)).status_code == 403
    assert (await http.delete(f"{base}/members/{carol.id}", headers=alice.headers)).status_code == 404

    assert (await http.delete(f"{base}/members/{alice.id}", headers=alice.headers)).status_code == 204
    after_owner_left = (await http.get(base, headers=bob.headers)).json()
    assert after_owner_left["owner"] == public(bob)
    assert after_owner_left["members"] == [public(bob)]


async def test_an_empty_room_keeps_its_history_but_takes_no_posts(http, make_user, server):
    alice = await make_user()
    room = await create_room(http, alice)
    await post_to_room(http, alice, room["id"], "last words")
    assert (await http.delete(f"/api/rooms/{room['id']}/members/{alice.id}", headers=alice.headers)).status_code == 204
    post = await http.post(f"/api/rooms/{room['id']}/messages", headers=alice.headers, json={"content": "echo?"})
    assert post.status_code == 403
    readd = await http.post(f"/api/rooms/{room['id']}/members", headers=alice.headers, json={"user_id": alice.id})
    assert readd.status_code == 403
    from sqlalchemy import select

    from confab.domain.messages.models import MessageModel
    from confab.domain.rooms.models import RoomModel

    async with server.app.state.database_config.create_session_maker()() as session:
        stored = await session.get(RoomModel, room["id"])
        assert stored is not None and stored.owner_id is None
        kept = (await session.scalars(select(MessageModel.content).where(MessageModel.room_id == room["id"]))).all()
        assert kept == ["last words"]


async def test_room_messages_and_history_pages(http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    posted = [await post_to_room(http, alice if i % 2 else bob, room["id"], f"r{i}") for i in range(12)]
    first = posted[0]
    assert first["room_id"] == room["id"]
    assert first["recipient"] is None
    assert first["author"] == public(bob)
    base = f"/api/rooms/{room['id']}/messages"
    assert [m["id"] for m in (await http.get(base, headers=alice.headers, params={"limit": 5})).json()] == [
        m["id"] for m in posted[-5:]
    ]
    older = (await http.get(base, headers=alice.headers, params={"limit": 5, "before": posted[-5]["id"]})).json()
    assert [m["id"] for m in older] == [m["id"] for m in posted[-10:-5]]
    newer = (await http.get(base, headers=alice.headers, params={"after": posted[2]["id"], "limit": 3})).json()
    assert [m["id"] for m in newer] == [m["id"] for m in posted[3:6]]
    # room messages are not DMs
    assert (await http.get("/api/messages", headers=alice.headers)).json() == []


async def test_rooms_list_is_most_recent_first_with_last_message_and_unread(http, make_user):
    alice, bob = await make_user(), await make_user()
    quiet = await create_room(http, alice, "quiet", members=[bob])
    busy = await create_room(http, alice, "busy", members=[bob])
    await post_to_room(http, bob, busy["id"], "one")
    last = await post_to_room(http, bob, busy["id"], "two")
    mine = await post_to_room(http, alice, busy["id"], "my own")
    listed = (await http.get("/api/rooms", headers=alice.headers)).json()
    assert [room["id"] for room in listed] == [busy["id"], quiet["id"]]
    assert listed[0]["last_message"] == mine
    assert listed[0]["unread"] == 2  # bob's two; alice's own message is not unread for her
    assert listed[1]["last_message"] is None and listed[1]["unread"] == 0

    base = f"/api/rooms/{busy['id']}/read"
    assert (await http.put(base, headers=alice.headers, json={"last_read_id": last["id"]})).status_code == 204
    assert (await http.get("/api/rooms", headers=alice.headers)).json()[0]["unread"] == 0
    # never backwards
    assert (await http.put(base, headers=alice.headers, json={"last_read_id": 0})).status_code == 204
    assert (await http.get("/api/rooms", headers=alice.headers)).json()[0]["unread"] == 0
    bob_view = {room["id"]: room for room in (await http.get("/api/rooms", headers=bob.headers)).json()}
    assert bob_view[busy["id"]]["unread"] == 1  # alice's message
    # a marker beyond the last message does not hide future messages
    assert (await http.put(base, headers=alice.headers, json={"last_read_id": 10**12})).status_code == 204
    await post_to_room(http, bob, busy["id"], "three")
    assert (await http.get("/api/rooms", headers=alice.headers)).json()[0]["unread"] == 1


async def test_direct_unread_counts_and_read_markers(http, make_user):
    alice, bob, carol = await make_user(), await make_user(), await make_user()

    first = await send_dm(http, bob, alice, "1")
    await send_dm(http, bob, alice, "2")
    await send_dm(http, carol, alice, "3")
    await send_dm(http, alice, bob, "mine")

    async def unread():
        people = (await http.get("/api/users", headers=alice.headers)).json()
        return {person["id"]: person["unread"] for person in people}

    assert (await unread())[bob.id] == 2
    assert (await unread())[carol.id] == 1
    assert (
        await http.put(f"/api/users/{bob.id}/read", headers=alice.headers, json={"last_read_id": first["id"]})
    ).status_code == 204
    assert (await unread())[bob.id] == 1
    await http.put(f"/api/users/{bob.id}/read", headers=alice.headers, json={"last_read_id": 0})
    assert (await unread())[bob.id] == 1  # never backwards
    await http.put(f"/api/users/{bob.id}/read", headers=alice.headers, json={"last_read_id": 10**12})
    assert (await unread())[bob.id] == 0
    await send_dm(http, bob, alice, "4")
    assert (await unread())[bob.id] == 1
    assert (
        await http.put("/api/users/999999999999/read", headers=alice.headers, json={"last_read_id": 1})
    ).status_code == 404


async def test_ownership_passes_to_the_longest_standing_member_not_the_lowest_id(http, make_user):
    newcomer = await make_user()  # the lowest id of the three, but the last to join
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    base = f"/api/rooms/{room['id']}"
    added = await http.post(f"{base}/members", headers=alice.headers, json={"user_id": newcomer.id})
    assert [member["id"] for member in added.json()["members"]] == [alice.id, bob.id, newcomer.id]
    assert (await http.delete(f"{base}/members/{alice.id}", headers=alice.headers)).status_code == 204
    assert (await http.get(base, headers=bob.headers)).json()["owner"] == public(bob)
    assert (await http.delete(f"{base}/members/{bob.id}", headers=bob.headers)).status_code == 204
    assert (await http.get(base, headers=newcomer.headers)).json()["owner"] == public(newcomer)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "", None),
        ("GET", "/messages", None),
        ("POST", "/messages", {"content": "anyone there?"}),
        ("PUT", "/read", {"last_read_id": 1}),
        ("POST", "/members", {"user_id": 1}),
        ("DELETE", "/members/1", None),
    ],
)
async def test_every_route_of_a_room_that_does_not_exist_is_404(http, make_user, method, path, body):
    alice = await make_user()
    response = await http.request(method, f"/api/rooms/999999999999{path}", headers=alice.headers, json=body)
    assert response.status_code == 404, response.text
    assert response.json()["detail"] == "no room with id 999999999999"


async def test_sending_over_a_socket_to_a_room_that_does_not_exist_is_404(server, make_user):
    alice = await make_user()
    socket = await RecordingClient().connect(server.url, alice.token)
    try:
        ack = await socket.call("send", {"room_id": 999999999999, "content": "anyone there?"})
        assert ack == {"ok": False, "status": 404, "detail": "no room with id 999999999999"}
    finally:
        await socket.disconnect()
