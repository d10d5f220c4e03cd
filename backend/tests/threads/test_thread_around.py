"""`around=<id>` on a thread: a page of replies centred on one reply, as the conversation histories do it."""

from __future__ import annotations

from tests.support.rooms import create_room, post_to_room
from tests.support.threads import reply_in_room, thread_of


async def test_a_thread_page_centred_on_a_reply(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    root = await post_to_room(http, alice, room["id"], "plans?")
    other_root = await post_to_room(http, bob, room["id"], "another thread")
    replies = []
    for index in range(9):
        replies.append(await reply_in_room(http, bob, room["id"], root["id"], f"r{index}"))
        # interleaved: a reply in another thread and a message in the room itself are not in this thread
        await reply_in_room(http, alice, room["id"], other_root["id"], f"elsewhere {index}")
        await post_to_room(http, alice, room["id"], f"main {index}")
    ids = [reply["id"] for reply in replies]

    assert [m["id"] for m in await thread_of(http, alice, root["id"], around=ids[4], limit=5)] == ids[2:7]
    assert [m["id"] for m in await thread_of(http, alice, root["id"], around=ids[4], limit=4)] == ids[2:6]
    # named by a reply, as every thread route allows
    assert [m["id"] for m in await thread_of(http, alice, ids[0], around=ids[4], limit=5)] == ids[2:7]
    # near either end the other side fills the page
    assert [m["id"] for m in await thread_of(http, alice, root["id"], around=ids[8], limit=5)] == ids[4:9]
    assert [m["id"] for m in await thread_of(http, alice, root["id"], around=ids[0], limit=5)] == ids[0:3]
    # an id that is not a reply here centres the page on where it would be
    between = ids[4] + 1
    assert [m["id"] for m in await thread_of(http, alice, root["id"], around=between, limit=4)] == ids[3:7]


async def test_thread_around_is_refused_with_cursors_and_for_outsiders(server, http, make_user):
    alice, outsider = await make_user(), await make_user()
    room = await create_room(http, alice)
    root = await post_to_room(http, alice, room["id"], "root")
    reply = await reply_in_room(http, alice, room["id"], root["id"], "reply")
    path = f"/api/messages/{root['id']}/thread"
    for params in ({"around": reply["id"], "after": 1}, {"around": reply["id"], "before": 9}, {"around": 0}):
        response = await http.get(path, headers=alice.headers, params=params)
        assert response.status_code == 400, params
    refused = await http.get(path, headers=outsider.headers, params={"around": reply["id"]})
    assert refused.status_code == 404
