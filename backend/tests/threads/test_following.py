"""Following threads: who follows automatically, PUT/DELETE /follow, `GET /api/threads`, and the read marker."""

from __future__ import annotations

from tests.support.changes import delete
from tests.support.rooms import create_room, post_to_room
from tests.support.threads import followed_threads, reply_in_room


async def mark_read(http, reader, message_id: int, last_read_id: int) -> None:
    answer = await http.put(
        f"/api/messages/{message_id}/thread/read", headers=reader.headers, json={"last_read_id": last_read_id}
    )
    assert answer.status_code == 204, answer.text


async def test_the_root_author_and_repliers_follow_and_see_replies_from_others_as_unread(server, http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob, carol])
    root = await post_to_room(http, alice, room["id"], "who is coming?")
    assert await followed_threads(http, alice) == []  # no thread yet
    first = await reply_in_room(http, bob, room["id"], root["id"], "me")
    second = await reply_in_room(http, alice, room["id"], root["id"], "great")
    third = await reply_in_room(http, bob, room["id"], root["id"], "bringing cake")

    alice_threads = await followed_threads(http, alice)
    assert len(alice_threads) == 1
    listed = alice_threads[0]
    assert listed["root"]["id"] == root["id"] and listed["root"]["thread"]["reply_count"] == 3
    assert (listed["reply_count"], listed["last_reply_at"], listed["unread"]) == (3, third["date"], 2)
    assert [thread["unread"] for thread in await followed_threads(http, bob)] == [1]  # alice's "great"
    assert await followed_threads(http, carol) == []  # a member who did not take part

    await mark_read(http, alice, root["id"], first["id"])
    assert (await followed_threads(http, alice))[0]["unread"] == 1
    await mark_read(http, alice, third["id"], 10**12)  # named by a reply; capped at the latest reply
    assert (await followed_threads(http, alice))[0]["unread"] == 0
    await mark_read(http, alice, root["id"], second["id"])  # never backwards
    assert (await followed_threads(http, alice))[0]["unread"] == 0
    fourth = await reply_in_room(http, carol, room["id"], root["id"], "me too")
    assert (await followed_threads(http, alice))[0]["unread"] == 1
    await delete(http, carol, fourth["id"])
    assert (await followed_threads(http, alice))[0]["unread"] == 0  # a taken-back reply is nothing to read
    assert [thread["root"]["id"] for thread in await followed_threads(http, carol)] == [root["id"]]


async def test_follow_and_unfollow_are_explicit_choices_that_replies_respect(server, http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob, carol])
    root = await post_to_room(http, alice, room["id"], "plans")
    assert (await http.delete(f"/api/messages/{root['id']}/follow", headers=alice.headers)).status_code == 204
    await reply_in_room(http, bob, room["id"], root["id"], "a reply")
    assert await followed_threads(http, alice) == []  # the root's author said no before the first reply
    assert (await http.put(f"/api/messages/{root['id']}/follow", headers=carol.headers)).status_code == 204
    assert [thread["root"]["id"] for thread in await followed_threads(http, carol)] == [root["id"]]
    assert (await http.delete(f"/api/messages/{root['id']}/follow", headers=bob.headers)).status_code == 204
    assert await followed_threads(http, bob) == []
    await reply_in_room(http, bob, room["id"], root["id"], "replying follows again")
    assert [thread["root"]["id"] for thread in await followed_threads(http, bob)] == [root["id"]]
    outsider = await make_user()
    hidden = await http.put(f"/api/messages/{root['id']}/follow", headers=outsider.headers)
    assert hidden.status_code == 404
    assert (
        await http.put(f"/api/messages/{root['id']}/thread/read", headers=outsider.headers, json={"last_read_id": 1})
    ).status_code == 404


async def test_threads_are_listed_most_recently_active_first(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    older = await post_to_room(http, alice, room["id"], "older root")
    newer = await post_to_room(http, alice, room["id"], "newer root")
    await reply_in_room(http, bob, room["id"], newer["id"], "on the newer")
    await reply_in_room(http, bob, room["id"], older["id"], "on the older, later")
    assert [thread["root"]["id"] for thread in await followed_threads(http, alice)] == [older["id"], newer["id"]]
    await reply_in_room(http, bob, room["id"], newer["id"], "newer again")
    assert [thread["root"]["id"] for thread in await followed_threads(http, alice)] == [newer["id"], older["id"]]
    assert (await http.get("/api/threads", headers=alice.headers, params={"limit": 1})).json()[0]["root"][
        "id"
    ] == newer["id"]


async def test_a_removed_member_no_longer_lists_the_rooms_threads(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    root = await post_to_room(http, alice, room["id"], "members only")
    await reply_in_room(http, bob, room["id"], root["id"], "I follow this")
    assert len(await followed_threads(http, bob)) == 1
    removed = await http.delete(f"/api/rooms/{room['id']}/members/{bob.id}", headers=alice.headers)
    assert removed.status_code == 204
    assert await followed_threads(http, bob) == []
