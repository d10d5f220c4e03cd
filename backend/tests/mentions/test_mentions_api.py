"""Mentions through the API: who a message mentions, the unread-mention counts, and `GET /api/mentions`."""

from __future__ import annotations

from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.threads import followed_threads, reply_in_room


async def mentions_of(http, reader, **params) -> list[dict]:
    response = await http.get("/api/mentions", headers=reader.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def my_rooms(http, reader) -> dict[int, dict]:
    return {room["id"]: room for room in (await http.get("/api/rooms", headers=reader.headers)).json()}


async def test_a_room_message_mentions_the_members_it_names_and_nobody_else(http, make_user):
    alice, bob, carol, outsider = [await make_user() for _ in range(4)]
    room = await create_room(http, alice, members=[bob, carol])
    text = f"@{bob.nickname.upper()} see {carol.nickname}@example.com, and @{outsider.nickname} and @{alice.nickname}"
    message = await post_to_room(http, alice, room["id"], text)
    assert message["mentions"] == [bob.id]  # not carol (an email), not the outsider (no reader), not the author
    history = (await http.get(f"/api/rooms/{room['id']}/messages", headers=carol.headers)).json()
    assert history[-1]["mentions"] == [bob.id]
    assert (await mentions_of(http, outsider)) == []


async def test_at_room_mentions_every_member_but_the_author(http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob, carol])
    message = await post_to_room(http, alice, room["id"], "lunch? @Room")
    assert message["mentions"] == sorted([bob.id, carol.id])


async def test_in_a_dm_only_the_recipient_can_be_mentioned_and_at_room_means_them(http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    assert (await send_dm(http, alice, bob, f"@{bob.nickname} and @{carol.nickname}"))["mentions"] == [bob.id]
    assert (await send_dm(http, alice, bob, "@room hi"))["mentions"] == [bob.id]
    assert (await send_dm(http, alice, bob, f"note to self @{alice.nickname}"))["mentions"] == []


async def test_unread_mentions_are_counted_per_room_and_per_person_until_read(http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    await post_to_room(http, alice, room["id"], "no mention")
    latest = await post_to_room(http, alice, room["id"], f"@{bob.nickname} please")
    await send_dm(http, alice, bob, "plain")
    await send_dm(http, alice, bob, f"@{bob.nickname} ping")
    listed = (await my_rooms(http, bob))[room["id"]]
    assert (listed["unread"], listed["mentions_unread"], listed["notification_level"]) == (2, 1, "all")
    assert (await my_rooms(http, alice))[room["id"]]["mentions_unread"] == 0
    people = (await http.get("/api/users", headers=bob.headers, params={"conversations": "true"})).json()
    assert [(p["id"], p["unread"], p["mentions_unread"]) for p in people] == [(alice.id, 2, 1)]
    await http.put(f"/api/rooms/{room['id']}/read", headers=bob.headers, json={"last_read_id": latest["id"]})
    assert (await my_rooms(http, bob))[room["id"]]["mentions_unread"] == 0


async def test_an_edit_finds_the_mentions_again(http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob, carol])
    message = await post_to_room(http, alice, room["id"], f"@{bob.nickname} hi")
    edited = await http.patch(
        f"/api/messages/{message['id']}", headers=alice.headers, json={"content": f"@{carol.nickname} hi"}
    )
    assert edited.json()["mentions"] == [carol.id]
    assert await mentions_of(http, bob) == []
    assert [m["id"] for m in await mentions_of(http, carol)] == [message["id"]]
    assert (await my_rooms(http, bob))[room["id"]]["mentions_unread"] == 0


async def test_an_edit_can_add_the_first_mention_and_take_the_last_one_away(http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    message = await post_to_room(http, alice, room["id"], "no one named")
    path = f"/api/messages/{message['id']}"
    named = await http.patch(path, headers=alice.headers, json={"content": f"now @{bob.nickname}"})
    assert named.json()["mentions"] == [bob.id]
    assert [m["id"] for m in await mentions_of(http, bob)] == [message["id"]]
    plain = await http.patch(path, headers=alice.headers, json={"content": "no one again"})
    assert plain.json()["mentions"] == []
    assert await mentions_of(http, bob) == []


async def test_a_deleted_message_mentions_nobody_any_more(http, make_user):
    alice, bob = await make_user(), await make_user()
    message = await send_dm(http, alice, bob, f"@{bob.nickname} oops")
    assert (await http.delete(f"/api/messages/{message['id']}", headers=alice.headers)).status_code == 204
    assert await mentions_of(http, bob) == []
    people = (await http.get("/api/users", headers=bob.headers, params={"conversations": "true"})).json()
    assert people[0]["mentions_unread"] == 0


async def test_mentions_are_listed_newest_first_a_page_at_a_time(http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room = await create_room(http, carol, members=[bob])
    sent = [await send_dm(http, alice, bob, f"@{bob.nickname} {i}") for i in range(3)]
    sent.append(await post_to_room(http, carol, room["id"], f"@{bob.nickname} room"))
    await send_dm(http, alice, bob, "not a mention")
    newest_first = [message["id"] for message in reversed(sent)]
    first = await mentions_of(http, bob, limit=3)
    assert [m["id"] for m in first] == newest_first[:3]
    assert first[0]["mentions"] == [bob.id]
    rest = await mentions_of(http, bob, limit=3, before=first[-1]["id"])
    assert [m["id"] for m in rest] == newest_first[3:]


async def test_a_removed_member_no_longer_sees_that_rooms_mentions(http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    await post_to_room(http, alice, room["id"], f"@{bob.nickname} in the room")
    dm = await send_dm(http, alice, bob, f"@{bob.nickname} in a DM")
    assert len(await mentions_of(http, bob)) == 2
    removed = await http.delete(f"/api/rooms/{room['id']}/members/{bob.id}", headers=alice.headers)
    assert removed.status_code == 204
    assert [m["id"] for m in await mentions_of(http, bob)] == [dm["id"]]


async def test_a_mention_in_a_reply_is_listed_and_makes_its_reader_follow_the_thread(http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob, carol])
    root = await post_to_room(http, alice, room["id"], "plans")
    reply = await reply_in_room(http, bob, room["id"], root["id"], f"what does @{carol.nickname} think?")
    assert reply["mentions"] == [carol.id]
    assert [m["id"] for m in await mentions_of(http, carol)] == [reply["id"]]
    assert [thread["root"]["id"] for thread in await followed_threads(http, carol)] == [root["id"]]
    assert (await my_rooms(http, carol))[room["id"]]["mentions_unread"] == 0  # counted in the thread instead
    assert (await followed_threads(http, carol))[0]["unread"] == 1


async def test_bad_paging_is_a_400(http, make_user):
    bob = await make_user()
    for params in ({"limit": 0}, {"limit": 201}, {"before": 0}, {"before": "x"}):
        response = await http.get("/api/mentions", headers=bob.headers, params=params)
        assert response.status_code == 400, params
        assert response.json()["detail"]
