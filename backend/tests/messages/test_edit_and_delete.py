"""Editing and deleting messages: who may, what the message becomes, and what is left in the database."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from confab.domain.messages.models import MessageModel
from tests.support.changes import delete, edit, react, reaction_path
from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle


async def stored_row(server, message_id: int) -> MessageModel:
    async with server.app.state.database_config.get_session() as session:
        row = await session.scalar(select(MessageModel).where(MessageModel.id == message_id))
        assert row is not None
        return row


async def test_the_author_edits_a_dm_and_both_parties_read_the_new_text(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "trois petits chat")
    assert sent["edited_at"] is None and sent["deleted"] is False and sent["reactions"] == []
    edited = await edit(http, alice, sent["id"], "trois petits chats")
    assert edited["content"] == "trois petits chats"
    assert edited["edited_at"] is not None
    assert edited["seq"] > sent["seq"]
    assert {k: v for k, v in edited.items() if k not in ("content", "edited_at", "seq")} == {
        k: v for k, v in sent.items() if k not in ("content", "edited_at", "seq")
    }
    for reader in (alice, bob):
        history = (await http.get("/api/messages", headers=reader.headers)).json()
        assert [m for m in history if m["id"] == sent["id"]] == [edited]


async def test_editing_to_the_same_text_changes_nothing(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "same")
    assert await edit(http, alice, sent["id"], "same") == sent


async def test_only_the_author_edits_others_who_can_read_get_403_the_rest_404(server, http, make_user):
    alice, bob, carol, outsider = [await make_user() for _ in range(4)]
    dm = await send_dm(http, alice, bob, "dm")
    room = await create_room(http, alice, members=[bob, carol])
    posted = await post_to_room(http, carol, room["id"], "room message")
    body = {"content": "hijacked"}
    assert (await http.patch(f"/api/messages/{dm['id']}", headers=bob.headers, json=body)).status_code == 403
    # the room's owner may delete carol's message, but not put words in her mouth
    assert (await http.patch(f"/api/messages/{posted['id']}", headers=alice.headers, json=body)).status_code == 403
    for message in (dm, posted):
        refused = await http.patch(f"/api/messages/{message['id']}", headers=outsider.headers, json=body)
        assert refused.status_code == 404
        assert refused.json()["detail"] == f"no message with id {message['id']}"
    assert (await http.patch("/api/messages/999999999", headers=alice.headers, json=body)).status_code == 404
    assert (await stored_row(server, dm["id"])).content == "dm"
    assert (await stored_row(server, posted["id"])).content == "room message"


async def test_an_edit_follows_the_rules_of_a_send(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "hello")
    for body in ({"content": "   "}, {"content": ""}, {"content": "x" * 4001}, {}, {"content": "a", "extra": 1}):
        refused = await http.patch(f"/api/messages/{sent['id']}", headers=alice.headers, json=body)
        assert refused.status_code == 400, body
    assert (await http.patch(f"/api/messages/{sent['id']}", json={"content": "x"})).status_code == 401
    assert (await stored_row(server, sent["id"])).content == "hello"


async def test_a_member_who_left_can_no_longer_edit_their_room_message(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    posted = await post_to_room(http, bob, room["id"], "before leaving")
    assert (await http.delete(f"/api/rooms/{room['id']}/members/{bob.id}", headers=bob.headers)).status_code == 204
    refused = await http.patch(f"/api/messages/{posted['id']}", headers=bob.headers, json={"content": "after"})
    assert refused.status_code == 404


async def test_delete_leaves_a_tombstone_and_erases_the_text_from_the_database(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "a secret I regret")
    edited = await edit(http, alice, sent["id"], "a secret I regret, edited")
    await react(http, bob, sent["id"], "😮")
    await delete(http, alice, sent["id"])
    history = (await http.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
    (tombstone,) = [m for m in history if m["id"] == sent["id"]]
    assert tombstone["deleted"] is True
    assert tombstone["content"] == ""
    assert tombstone["reactions"] == []
    assert tombstone["edited_at"] == edited["edited_at"]
    assert tombstone["seq"] > edited["seq"]
    row = await stored_row(server, sent["id"])
    assert (row.content, row.deleted) == ("", True)
    async with server.app.state.database_config.get_session() as session:
        stored = await session.execute(select(MessageModel.id).where(MessageModel.content.contains("secret")))
        assert sent["id"] not in list(stored.scalars())

    # deleting again is 204 and changes nothing; a tombstone can be neither edited nor reacted to
    await delete(http, alice, sent["id"])
    assert (await stored_row(server, sent["id"])).seq == tombstone["seq"]
    refused = await http.patch(f"/api/messages/{sent['id']}", headers=alice.headers, json={"content": "back"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "this message was deleted; it cannot be edited"
    for method in (http.put, http.delete):
        refused = await method(reaction_path(sent["id"], "👍"), headers=bob.headers)
        assert refused.status_code == 409
        assert refused.json()["detail"] == "this message was deleted; it cannot be reacted to"


async def test_who_may_delete_the_author_and_in_a_room_its_owner(server, http, make_user):
    alice, bob, carol, outsider = [await make_user() for _ in range(4)]
    dm = await send_dm(http, alice, bob, "dm")
    assert (await http.delete(f"/api/messages/{dm['id']}", headers=bob.headers)).status_code == 403
    assert (await http.delete(f"/api/messages/{dm['id']}", headers=outsider.headers)).status_code == 404
    room = await create_room(http, alice, members=[bob, carol])
    by_bob = await post_to_room(http, bob, room["id"], "bob's")
    refused = await http.delete(f"/api/messages/{by_bob['id']}", headers=carol.headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "only the author or the room's owner can delete a message"
    assert (await http.delete(f"/api/messages/{by_bob['id']}", headers=outsider.headers)).status_code == 404
    assert not (await stored_row(server, by_bob["id"])).deleted
    await delete(http, alice, by_bob["id"])  # the owner moderates
    assert (await stored_row(server, by_bob["id"])).deleted
    by_carol = await post_to_room(http, carol, room["id"], "carol's")
    await delete(http, carol, by_carol["id"])
    assert (await stored_row(server, by_carol["id"])).content == ""
    assert (await stored_row(server, dm["id"])).content == "dm"


async def test_racing_deletes_take_one_seq_and_push_once(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "going")
    bob_socket = await RecordingClient().connect(server.url, bob.token)
    try:
        answers = await asyncio.gather(
            *(http.delete(f"/api/messages/{sent['id']}", headers=alice.headers) for _ in range(5))
        )
        assert [answer.status_code for answer in answers] == [204] * 5
        pushed = await bob_socket.wait_for("message_updated")
        await settle()
        assert bob_socket.received("message_updated") == [pushed]
        assert pushed["seq"] == (await stored_row(server, sent["id"])).seq
        changes = (await http.get("/api/changes", headers=alice.headers, params={"since": sent["seq"]})).json()
        assert changes == [pushed]
    finally:
        await bob_socket.disconnect()


async def test_a_deleted_message_is_no_longer_counted_unread(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    dm = await send_dm(http, alice, bob, "unread dm")
    posted = await post_to_room(http, alice, room["id"], "unread room message")

    async def unread() -> tuple[int, int]:
        people = {p["id"]: p for p in (await http.get("/api/users", headers=bob.headers)).json()}
        rooms = {r["id"]: r for r in (await http.get("/api/rooms", headers=bob.headers)).json()}
        return people[alice.id]["unread"], rooms[room["id"]]["unread"]

    assert await unread() == (1, 1)
    await delete(http, alice, dm["id"])
    await delete(http, alice, posted["id"])
    assert await unread() == (0, 0)
