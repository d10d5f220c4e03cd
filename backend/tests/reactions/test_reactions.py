"""Reactions: one emoji per path, idempotent under racing requests, counted in the order of first use."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from confab.domain.reactions.models import ReactionModel
from confab.domain.reactions.schemas import MAX_DISTINCT_EMOJI
from tests.support.changes import react, reaction_path
from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle

FAMILY = "👨‍👩‍👧"  # one grapheme cluster of five code points
# Twenty-one distinct single emoji, for the limit.
MANY = [
    "😀",
    "😁",
    "😂",
    "🤣",
    "😃",
    "😄",
    "😅",
    "😆",
    "😉",
    "😊",
    "😋",
    "😎",
    "😍",
    "😘",
    "🥰",
    "😗",
    "😙",
    "🥲",
    "😚",
    "🙂",
    "🤗",
]


async def reaction_rows(server, message_id: int) -> int:
    async with server.app.state.database_config.get_session() as session:
        return await session.scalar(
            select(func.count()).select_from(ReactionModel).where(ReactionModel.message_id == message_id)
        )


async def test_reactions_are_counted_per_emoji_in_the_order_of_first_use(server, http, make_user):
    alice, bob, carol = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob, carol])
    posted = await post_to_room(http, alice, room["id"], "lunch?")
    first = await react(http, bob, posted["id"], "👍")
    assert first["reactions"] == [{"emoji": "👍", "count": 1, "user_ids": [bob.id]}]
    assert first["seq"] > posted["seq"]
    await react(http, carol, posted["id"], FAMILY)
    latest = await react(http, alice, posted["id"], "👍")
    assert latest["reactions"] == [
        {"emoji": "👍", "count": 2, "user_ids": [bob.id, alice.id]},
        {"emoji": FAMILY, "count": 1, "user_ids": [carol.id]},
    ]
    history = (await http.get(f"/api/rooms/{room['id']}/messages", headers=carol.headers)).json()
    assert history == [latest]
    # the order is that of the reactions still there: alice's thumbs up came after carol's family
    removed = await react(http, bob, posted["id"], "👍", remove=True)
    assert removed["reactions"] == [
        {"emoji": FAMILY, "count": 1, "user_ids": [carol.id]},
        {"emoji": "👍", "count": 1, "user_ids": [alice.id]},
    ]
    assert removed["seq"] > latest["seq"]


async def test_the_same_reaction_twice_or_removing_a_missing_one_changes_nothing(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "hi")
    reacted = await react(http, bob, sent["id"], "❤️")
    assert await react(http, bob, sent["id"], "❤️") == reacted
    assert await react(http, bob, sent["id"], "🎉", remove=True) == reacted
    assert await reaction_rows(server, sent["id"]) == 1


async def test_racing_identical_reactions_store_one_row_take_one_seq_and_push_once(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "race me")
    alice_socket = await RecordingClient().connect(server.url, alice.token)
    try:
        answers = await asyncio.gather(
            *(http.put(reaction_path(sent["id"], "🔥"), headers=bob.headers) for _ in range(8))
        )
        assert {answer.status_code for answer in answers} == {200}
        assert len({answer.json()["seq"] for answer in answers}) == 1
        assert await reaction_rows(server, sent["id"]) == 1
        pushed = await alice_socket.wait_for("message_updated")
        await settle()
        assert alice_socket.received("message_updated") == [pushed]
        assert pushed == answers[0].json()
        assert pushed["reactions"] == [{"emoji": "🔥", "count": 1, "user_ids": [bob.id]}]

        removals = await asyncio.gather(
            *(http.delete(reaction_path(sent["id"], "🔥"), headers=bob.headers) for _ in range(8))
        )
        assert {answer.status_code for answer in removals} == {200}
        assert len({answer.json()["seq"] for answer in removals}) == 1
        await alice_socket.wait_for("message_updated", lambda m: m["reactions"] == [])
        await settle()
        assert len(alice_socket.received("message_updated")) == 2
        assert await reaction_rows(server, sent["id"]) == 0
    finally:
        await alice_socket.disconnect()


async def test_anything_but_one_emoji_is_a_400(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "hi")
    for text in ("ok", "👍👍", "a👍", " ", "1", "\u200d", "👍 "):
        refused = await http.put(reaction_path(sent["id"], text), headers=bob.headers)
        assert refused.status_code == 400, text
        assert refused.json()["detail"].startswith("emoji: must be exactly one emoji"), refused.text
    assert (await http.put(reaction_path(sent["id"], "x" * 65), headers=bob.headers)).status_code == 400
    assert await reaction_rows(server, sent["id"]) == 0
    for one in ("🇫🇷", "👍🏽", "#️⃣", FAMILY):
        assert (await http.put(reaction_path(sent["id"], one), headers=bob.headers)).status_code == 200, one


async def test_at_most_twenty_distinct_emoji_on_a_message(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = await send_dm(http, alice, bob, "react away")
    for emoji in MANY[:MAX_DISTINCT_EMOJI]:
        await react(http, bob, sent["id"], emoji)
    refused = await http.put(reaction_path(sent["id"], MANY[MAX_DISTINCT_EMOJI]), headers=alice.headers)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "emoji: a message has at most 20 different emoji"
    # an emoji already there can still be used by someone else
    assert len((await react(http, alice, sent["id"], MANY[0]))["reactions"]) == MAX_DISTINCT_EMOJI


async def test_only_people_who_can_read_the_message_react(server, http, make_user):
    alice, bob, outsider = [await make_user() for _ in range(3)]
    room = await create_room(http, alice, members=[bob])
    dm = await send_dm(http, alice, bob, "dm")
    posted = await post_to_room(http, alice, room["id"], "room")
    for message in (dm, posted):
        for method in (http.put, http.delete):
            refused = await method(reaction_path(message["id"], "👍"), headers=outsider.headers)
            assert refused.status_code == 404
    assert (await http.put(reaction_path(999999999, "👍"), headers=bob.headers)).status_code == 404
    assert (await http.put(reaction_path(dm["id"], "👍"))).status_code == 401
    assert await reaction_rows(server, dm["id"]) == await reaction_rows(server, posted["id"]) == 0
