"""Reading DM history: only one's own, ascending ids, cursors, the `with` filter, one query per page."""

from __future__ import annotations

from sqlalchemy import event

from tests.support.messages import send_dm


async def test_only_the_user_themself_may_read_their_messages(http, make_user):
    alice = await make_user()
    bob = await make_user()
    await send_dm(http, alice, bob, "secret")
    assert (await http.get(f"/api/users/{bob.id}/messages", headers=alice.headers)).status_code == 403
    own = await http.get(f"/api/users/{bob.id}/messages", headers=bob.headers)
    assert [m["content"] for m in own.json()] == ["secret"]


async def test_history_holds_sent_and_received_in_ascending_order_and_nothing_else(http, make_user):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    await send_dm(http, alice, bob, "a->b")
    await send_dm(http, bob, alice, "b->a")
    await send_dm(http, bob, carol, "b->c")
    await send_dm(http, carol, alice, "c->a")
    mine = (await http.get(f"/api/users/{alice.id}/messages", headers=alice.headers)).json()
    assert [m["content"] for m in mine] == ["a->b", "b->a", "c->a"]
    assert [m["id"] for m in mine] == sorted(m["id"] for m in mine)
    tutorial_route = (await http.get("/api/messages", headers=alice.headers)).json()
    assert tutorial_route == mine
    with_bob = (await http.get("/api/messages", headers=alice.headers, params={"with": bob.id})).json()
    assert [m["content"] for m in with_bob] == ["a->b", "b->a"]


async def test_cursor_pages_have_no_gaps_and_no_repeats(http, make_user):
    alice, bob = await make_user(), await make_user()
    sent = [await send_dm(http, alice if i % 2 else bob, bob if i % 2 else alice, f"m{i}") for i in range(23)]
    ids = [m["id"] for m in sent]

    newest = (await http.get("/api/messages", headers=alice.headers, params={"limit": 5})).json()
    assert [m["id"] for m in newest] == ids[-5:]

    backwards: list[int] = []
    before = None
    while True:
        params = {"limit": 7} | ({"before": before} if before else {})
        page = (await http.get("/api/messages", headers=alice.headers, params=params)).json()
        if not page:
            break
        backwards = [m["id"] for m in page] + backwards
        before = page[0]["id"]
    assert backwards == ids

    forwards: list[int] = []
    after = 0
    while page := (await http.get("/api/messages", headers=alice.headers, params={"limit": 4, "after": after})).json():
        forwards += [m["id"] for m in page]
        after = page[-1]["id"]
    assert forwards == ids

    between = (
        await http.get("/api/messages", headers=alice.headers, params={"after": ids[3], "before": ids[8]})
    ).json()
    assert [m["id"] for m in between] == ids[4:8]


async def test_default_and_maximum_page_sizes(http, make_user):
    alice, bob = await make_user(), await make_user()
    for i in range(55):
        await send_dm(http, alice, bob, f"n{i}")
    assert len((await http.get("/api/messages", headers=alice.headers)).json()) == 50
    assert len((await http.get("/api/messages", headers=alice.headers, params={"limit": 200})).json()) == 55
    for bad in (
        {"limit": 201},
        {"limit": 0},
        {"limit": -1},
        {"after": -1},
        {"before": "x"},
        {"after": 2**63},
        {"with": 0},
    ):
        response = await http.get("/api/messages", headers=alice.headers, params=bad)
        assert response.status_code == 400, bad
        assert response.json()["detail"]


async def test_huge_cursors_give_empty_pages_not_errors(http, make_user):
    alice, bob = await make_user(), await make_user()
    await send_dm(http, alice, bob, "hello")
    assert (await http.get("/api/messages", headers=alice.headers, params={"after": 10**12})).json() == []
    assert (await http.get("/api/messages", headers=alice.headers, params={"after": 2**63 - 1})).json() == []
    assert len((await http.get("/api/messages", headers=alice.headers, params={"before": 10**12})).json()) == 1
    assert (await http.get("/api/messages", headers=alice.headers, params={"with": 10**12})).json() == []


async def test_a_page_costs_the_same_queries_however_many_messages_it_holds(http, make_user, server):
    alice, bob, carol = await make_user(), await make_user(), await make_user()
    await send_dm(http, alice, bob, "one")
    for i in range(30):
        await send_dm(http, carol if i % 2 else alice, alice if i % 2 else carol, f"many {i}")

    engine = server.app.state.database_config.get_engine().sync_engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        await http.get("/api/messages", headers=bob.headers)
        one_message = len(statements)
        statements.clear()
        page = (await http.get("/api/messages", headers=alice.headers)).json()
        many_messages = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(page) == 31
    # the caller's account, the page with authors and recipients, then the reactions, the files, the
    # thread summaries and the mentions of the whole page
    assert one_message == many_messages <= 6
