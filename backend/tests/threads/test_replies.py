"""Replies: sent with `thread_id`, listed in their thread and not in the conversation, summed up under the root."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from confab.domain.messages.models import MessageModel
from tests.support.changes import delete, edit, react
from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.threads import reply_direct, reply_in_room, thread_of


async def message_count(server) -> int:
    async with server.app.state.database_config.get_session() as session:
        return await session.scalar(select(func.count()).select_from(MessageModel))


async def test_a_room_reply_is_in_its_thread_not_in_the_room_and_the_root_counts_it(server, http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob, carol])
    root = await post_to_room(http, alice, room["id"], "lunch at noon?")
    assert root["thread"] is None and root["thread_id"] is None
    first = await reply_in_room(http, bob, room["id"], root["id"], "yes")
    second = await reply_in_room(http, carol, room["id"], root["id"], "12:30 for me")
    # a reply to a reply joins the root's thread
    third = await reply_in_room(http, bob, room["id"], first["id"], "fine, 12:30")
    assert [reply["thread_id"] for reply in (first, second, third)] == [root["id"]] * 3
    after = await post_to_room(http, carol, room["id"], "another topic")

    history = (await http.get(f"/api/rooms/{room['id']}/messages", headers=carol.headers)).json()
    assert [message["id"] for message in history] == [root["id"], after["id"]]
    listed_root = history[0]
    assert listed_root["thread"] == {
        "reply_count": 3,
        "last_reply_at": third["date"],
        "participant_ids": [bob.id, carol.id],
    }
    assert listed_root["seq"] > third["seq"]
    assert await thread_of(http, carol, root["id"]) == [first, second, third]
    assert await thread_of(http, carol, second["id"]) == [first, second, third]  # named by a reply
    assert await thread_of(http, carol, root["id"], limit=2) == [second, third]
    assert await thread_of(http, carol, root["id"], after=first["id"]) == [second, third]
    assert await thread_of(http, carol, root["id"], before=third["id"], limit=1) == [second]

    rooms = (await http.get("/api/rooms", headers=carol.headers)).json()
    assert rooms[0]["last_message"]["id"] == after["id"]


async def test_a_dm_reply_stays_out_of_every_dm_history_and_unread_count(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    root = await send_dm(http, alice, bob, "did you read it?")
    reply = await reply_direct(http, bob, alice, root["id"], "yes, twice")
    plain = await send_dm(http, bob, alice, "and lunch?")
    assert reply["thread_id"] == root["id"] and reply["recipient"]["id"] == alice.id
    for url, params in (
        ("/api/messages", {}),
        ("/api/messages", {"with": bob.id}),
        (f"/api/users/{alice.id}/messages", {}),
    ):
        listed = (await http.get(url, headers=alice.headers, params=params)).json()
        assert [message["id"] for message in listed] == [root["id"], plain["id"]]
        assert listed[0]["thread"]["reply_count"] == 1
    assert await thread_of(http, alice, root["id"]) == [reply]
    # the reply is counted in its thread, not as an unread DM
    peers = (await http.get("/api/users", headers=alice.headers)).json()
    assert [peer["unread"] for peer in peers if peer["id"] == bob.id] == [1]


async def test_a_thread_id_elsewhere_deleted_or_unknown_is_refused_and_stores_nothing(server, http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob])
    other_room = await create_room(http, alice, name="other", members=[bob])
    in_other_room = await post_to_room(http, alice, other_room["id"], "elsewhere")
    dm = await send_dm(http, alice, bob, "a DM")
    hidden = await send_dm(http, carol, bob, "between carol and bob")
    doomed = await post_to_room(http, alice, room["id"], "to be deleted")
    await delete(http, alice, doomed["id"])
    before = await message_count(server)

    async def refused(path: str, body: dict) -> tuple[int, str]:
        answer = await http.post(path, headers=alice.headers, json=body)
        return answer.status_code, answer.json()["detail"]

    room_path = f"/api/rooms/{room['id']}/messages"
    assert await refused(room_path, {"content": "x", "thread_id": in_other_room["id"]}) == (
        400,
        "thread_id: that message is in another conversation",
    )
    assert (await refused(room_path, {"content": "x", "thread_id": dm["id"]}))[0] == 400
    assert (await refused("/api/messages", {"recipient_id": carol.id, "content": "x", "thread_id": dm["id"]}))[0] == 400
    assert await refused(room_path, {"content": "x", "thread_id": hidden["id"]}) == (
        404,
        f"no message with id {hidden['id']}",
    )
    assert (await refused(room_path, {"content": "x", "thread_id": 987654321}))[0] == 404
    assert (await refused(room_path, {"content": "x", "thread_id": doomed["id"]}))[0] == 400
    assert (await refused(room_path, {"content": "x", "thread_id": 0}))[0] == 400
    assert await message_count(server) == before


async def test_racing_replies_are_all_counted_and_the_last_root_seq_carries_the_full_count(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    root = await post_to_room(http, alice, room["id"], "count us")
    answers = await asyncio.gather(
        *(
            http.post(
                f"/api/rooms/{room['id']}/messages",
                headers=(alice if i % 2 else bob).headers,
                json={"content": f"reply {i}", "thread_id": root["id"]},
            )
            for i in range(12)
        )
    )
    assert {answer.status_code for answer in answers} == {201}
    history = (await http.get(f"/api/rooms/{room['id']}/messages", headers=bob.headers)).json()
    assert history[0]["thread"]["reply_count"] == 12
    assert len(await thread_of(http, bob, root["id"])) == 12


async def test_edits_reactions_and_deletes_work_on_replies_and_a_deleted_root_keeps_its_thread(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    root = await post_to_room(http, alice, room["id"], "the plan")
    reply = await reply_in_room(http, bob, room["id"], root["id"], "looks good")
    edited = await edit(http, bob, reply["id"], "looks great")
    assert edited["edited_at"] is not None and edited["thread_id"] == root["id"]
    reacted = await react(http, alice, reply["id"], "🎉")
    assert reacted["reactions"][0]["emoji"] == "🎉"
    await delete(http, alice, root["id"])
    thread = await thread_of(http, bob, root["id"])
    assert thread == [reacted]
    tombstone = (await http.get(f"/api/rooms/{room['id']}/messages", headers=bob.headers)).json()[0]
    assert tombstone["deleted"] is True and tombstone["thread"]["reply_count"] == 1
    await delete(http, bob, reply["id"])
    assert (await thread_of(http, bob, root["id"]))[0]["deleted"] is True


async def test_reading_a_thread_needs_the_root_readable(server, http, make_user):
    alice, bob, outsider = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob])
    root = await post_to_room(http, alice, room["id"], "members only")
    await reply_in_room(http, bob, room["id"], root["id"], "indeed")
    hidden = await http.get(f"/api/messages/{root['id']}/thread", headers=outsider.headers)
    assert hidden.status_code == 404
    assert hidden.json()["detail"] == f"no message with id {root['id']}"
    assert (
        await http.get(f"/api/messages/{root['id']}/thread", params={"limit": 0}, headers=bob.headers)
    ).status_code == 400
    removed = await http.delete(f"/api/rooms/{room['id']}/members/{bob.id}", headers=alice.headers)
    assert removed.status_code == 204
    assert (await http.get(f"/api/messages/{root['id']}/thread", headers=bob.headers)).status_code == 404
    refused = await http.post(
        f"/api/rooms/{room['id']}/messages", headers=bob.headers, json={"content": "still?", "thread_id": root["id"]}
    )
    assert refused.status_code in (403, 404)
