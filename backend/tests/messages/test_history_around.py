"""`around=<id>` on the history routes: a page centred on one message, for "jump to message"."""

from __future__ import annotations

from tests.support.messages import send_dm
from tests.support.rooms import create_room, post_to_room


async def test_a_dm_page_centred_on_a_message(server, http, make_user):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    sent = []
    for index in range(9):
        sent.append(await send_dm(http, alice, bob, f"m{index}"))
        await send_dm(http, alice, carol, f"elsewhere {index}")  # another conversation, interleaved
    ids = [message["id"] for message in sent]
    for path in ("/api/messages", f"/api/users/{bob.id}/messages"):
        page = await http.get(path, headers=bob.headers, params={"around": ids[4], "limit": 5})
        assert page.status_code == 200, page.text
        assert [m["id"] for m in page.json()] == ids[2:7]
    with_alice = await http.get(
        "/api/messages", headers=bob.headers, params={"around": ids[4], "with": alice.id, "limit": 4}
    )
    assert [m["id"] for m in with_alice.json()] == ids[2:6]
    # near the newest end the older side fills the page
    newest = await http.get(
        "/api/messages", headers=bob.headers, params={"around": ids[8], "limit": 5, "with": alice.id}
    )
    assert [m["id"] for m in newest.json()] == ids[4:9]
    oldest = await http.get(
        "/api/messages", headers=bob.headers, params={"around": ids[0], "limit": 5, "with": alice.id}
    )
    assert [m["id"] for m in oldest.json()] == ids[0:3]


async def test_a_room_page_centred_on_a_message_members_only(server, http, make_user):
    alice, outsider = await make_user(), await make_user()
    room = await create_room(http, alice)
    posted = [await post_to_room(http, alice, room["id"], f"r{index}") for index in range(6)]
    ids = [message["id"] for message in posted]
    page = await http.get(
        f"/api/rooms/{room['id']}/messages", headers=alice.headers, params={"around": ids[3], "limit": 3}
    )
    assert [m["id"] for m in page.json()] == ids[2:5]
    refused = await http.get(f"/api/rooms/{room['id']}/messages", headers=outsider.headers, params={"around": ids[3]})
    assert refused.status_code == 403


async def test_around_is_not_combined_with_after_or_before(server, http, make_user):
    alice = await make_user()
    for params in ({"around": 5, "after": 1}, {"around": 5, "before": 9}, {"around": 0}):
        response = await http.get("/api/messages", headers=alice.headers, params=params)
        assert response.status_code == 400, params
