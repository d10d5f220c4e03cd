"""Group commit: sends that arrive while a write is in flight are written together, each answered alone.

To make a batch happen on demand, `held_writes` holds this worker's first transaction back (before it
touches the database) until the test lets it go; the sends made meanwhile queue and form the next batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text

import confab.domain.messages.group_commit
from confab.domain.accounts.schemas import PublicUser
from confab.domain.messages.group_commit import MessageWriter, NewMessage
from confab.domain.messages.ordering import DirectRow, DirectWrites, NewWriteOrder
from tests.support.files import uploaded
from tests.support.rooms import create_room, post_to_room
from tests.support.sockets import RecordingClient, settle


class HeldWrites:
    """The writer's batches as they were handed to the database, the first one held until `release`."""

    def __init__(self, writer: MessageWriter) -> None:
        self.writer = writer
        self.batches: list[list[str]] = []
        self.gate = asyncio.Event()

    async def started(self, *sends: Awaitable[httpx.Response]) -> list[asyncio.Task[httpx.Response]]:
        """Start the sends one by one, each once the one before is queued behind the held transaction (so the
        batch holds them in this order)."""
        tasks = []
        for send in sends:
            tasks.append(asyncio.ensure_future(send))
            expected = self.writer.queued + 1
            for _ in range(1000):
                if self.writer.queued >= expected:
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError(f"{self.writer.queued} sends queued, expected {expected}")
        return tasks

    async def release(self, tasks: list[asyncio.Task[httpx.Response]]) -> list[httpx.Response]:
        self.gate.set()
        return list(await asyncio.wait_for(asyncio.gather(*tasks), 30))


@asynccontextmanager
async def held_writes(server: Any, http: httpx.AsyncClient, first: Any) -> AsyncIterator[HeldWrites]:
    """Hold the transaction of the send `first` (a request coroutine) back; yields once it is held."""
    writer: MessageWriter = server.app.state.hub.message_writer
    held = HeldWrites(writer)
    original = writer._write_batch

    async def recorded(batch: list[NewMessage]) -> None:
        held.batches.append([send.content for send in batch])
        await held.gate.wait()
        await original(batch)

    writer._write_batch = recorded  # type: ignore[method-assign]
    try:
        first_task = asyncio.ensure_future(first)
        for _ in range(1000):
            if held.batches:
                break
            await asyncio.sleep(0.01)
        yield held
        held.gate.set()
        assert (await asyncio.wait_for(first_task, 30)).status_code == 201
    finally:
        held.gate.set()
        del writer._write_batch


def dm(http: httpx.AsyncClient, author: Any, recipient: Any, content: str, **extra: Any) -> Awaitable[httpx.Response]:
    return http.post(
        "/api/messages", headers=author.headers, json={"recipient_id": recipient.id, "content": content, **extra}
    )


def to_room(
    http: httpx.AsyncClient, author: Any, room_id: int, content: str, **extra: Any
) -> Awaitable[httpx.Response]:
    return http.post(f"/api/rooms/{room_id}/messages", headers=author.headers, json={"content": content, **extra})


async def test_sends_during_a_write_are_committed_together_in_order_and_pushed_once(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    watcher = await RecordingClient().connect(server.url, bob.token)
    try:
        async with held_writes(server, http, dm(http, alice, bob, "first")) as held:
            tasks = await held.started(*(dm(http, alice, bob, f"batched {i}") for i in range(4)))
            answers = await held.release(tasks)
        assert [answer.status_code for answer in answers] == [201] * 4
        assert sorted(held.batches[1]) == [f"batched {i}" for i in range(4)]  # one transaction for the four
        messages = [answer.json() for answer in answers]
        assert sorted(message["content"] for message in messages) == [f"batched {i}" for i in range(4)]
        # ids and seqs of one batch run together, in the same order, after the message committed before it
        by_id = sorted(messages, key=lambda message: message["id"])
        assert [message["seq"] for message in by_id] == sorted(message["seq"] for message in messages)
        history = (await http.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
        assert [message["content"] for message in history][-5:] == ["first"] + [m["content"] for m in by_id]
        for message in messages:
            await watcher.wait_for("message", lambda pushed, sent=message: pushed["id"] == sent["id"])
        pushed = [event["id"] for event in watcher.received("message")]
        assert sorted(pushed) == sorted([history[-5]["id"], *(message["id"] for message in messages)])
    finally:
        await watcher.disconnect()


async def test_one_refused_send_in_a_batch_is_answered_alone_and_the_others_are_stored(server, http, make_user):
    alice, bob, carol, mallory, dave = [await make_user() for _ in range(5)]
    room = await create_room(http, alice, members=[bob, mallory])
    root = await post_to_room(http, alice, room["id"], "a thread in the room")
    earlier = (await dm(http, alice, bob, "sent before", client_id="retried-0001")).json()
    other_conversation = (await dm(http, alice, carol, "to carol", client_id="reused-00001")).json()
    bobs_file = await uploaded(http, bob, b"bob's bytes", "bob.txt")

    async with held_writes(server, http, dm(http, dave, alice, "first")) as held:
        tasks = await held.started(
            dm(http, alice, bob, "fine"),
            dm(http, alice, bob, "sent before", client_id="retried-0001"),  # a retry: the original, 200
            dm(http, alice, bob, "reused", client_id="reused-00001"),  # used for carol: 409
            to_room(http, mallory, room["id"], "removed while waiting"),  # 403 once removed
            dm(http, alice, bob, "someone else's file", file_ids=[bobs_file["id"]]),  # 404
            dm(http, alice, bob, "reply elsewhere", thread_id=root["id"]),  # thread of another conversation: 400
            to_room(http, bob, room["id"], "fine too"),
        )
        removal = await http.delete(f"/api/rooms/{room['id']}/members/{mallory.id}", headers=alice.headers)
        assert removal.status_code == 204
        answers = await held.release(tasks)

    assert len(held.batches[1]) == 7  # all in one transaction
    statuses = [answer.status_code for answer in answers]
    assert statuses == [201, 200, 409, 403, 404, 400, 201], [answer.text for answer in answers]
    assert answers[1].json() == earlier
    assert "another conversation" in answers[2].json()["detail"]
    assert other_conversation["id"] != answers[1].json()["id"]
    history = (await http.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
    assert [message["content"] for message in history] == ["sent before", "fine"]
    in_room = (await http.get(f"/api/rooms/{room['id']}/messages", headers=alice.headers)).json()
    assert [message["content"] for message in in_room] == ["a thread in the room", "fine too"]


async def test_plain_dms_of_a_mixed_batch_go_first_in_one_statement_and_each_author_keeps_their_order(
    server, http, make_user, monkeypatch
):
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite writes every batch in one transaction; the one-statement DM write is PostgreSQL's")
    alice, bob, carol = [await make_user() for _ in range(3)]
    room = await create_room(http, bob, members=[carol])
    in_one_statement: list[list[str]] = []
    write_direct_messages = confab.domain.messages.group_commit.write_direct_messages

    async def recorded(connection: Any, rows: list[DirectRow], sent_at: Any) -> DirectWrites:
        in_one_statement.append([row.content for row in rows])
        return await write_direct_messages(connection, rows, sent_at)

    monkeypatch.setattr(confab.domain.messages.group_commit, "write_direct_messages", recorded)
    async with held_writes(server, http, to_room(http, carol, room["id"], "first")) as held:
        tasks = await held.started(
            to_room(http, bob, room["id"], "in the room"),
            dm(http, alice, bob, "plain 1", client_id="mixed-000001"),
            dm(http, carol, bob, "plain from carol", client_id="mixed-000002"),
            dm(http, alice, bob, f"mentioning @{bob.nickname}", client_id="mixed-000003"),
            dm(http, alice, bob, "plain 2, after a mention", client_id="mixed-000004"),
        )
        answers = await held.release(tasks)
    assert [answer.status_code for answer in answers] == [201] * 5, [answer.text for answer in answers]
    # alice's second plain DM waits behind her mention; carol's has no earlier send in the batch
    assert in_one_statement == [["plain 1", "plain from carol"]]
    seqs = {answer.json()["content"]: answer.json()["seq"] for answer in answers}
    assert seqs["plain 1"] < seqs["plain from carol"] < seqs["in the room"]
    assert seqs["plain 1"] < seqs[f"mentioning @{bob.nickname}"] < seqs["plain 2, after a mention"]
    history = (await http.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
    assert [message["content"] for message in history] == [
        "plain 1",
        f"mentioning @{bob.nickname}",
        "plain 2, after a mention",
    ]


async def test_a_client_id_twice_in_one_batch_is_stored_once_and_both_get_it(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    async with held_writes(server, http, dm(http, bob, alice, "first")) as held:
        tasks = await held.started(
            dm(http, alice, bob, "twice", client_id="double-00001"),
            dm(http, alice, bob, "twice", client_id="double-00001"),
        )
        answers = await held.release(tasks)
    assert sorted(answer.status_code for answer in answers) == [200, 201]
    assert answers[0].json() == answers[1].json()
    history = (await http.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
    assert [message["content"] for message in history] == ["first", "twice"]


async def test_a_repeat_the_checks_missed_rolls_the_batch_back_and_each_send_is_written_alone(
    server, http, make_user, monkeypatch
):
    """As when another worker stores the same `client_id` between the batch's check and its INSERT: the
    unique constraint fails the batch, which is rolled back and written again one send per transaction."""
    alice, bob = await make_user(), await make_user()
    original = (await dm(http, alice, bob, "the original", client_id="raced-000001")).json()
    watcher = await RecordingClient().connect(server.url, bob.token)
    writer: MessageWriter = server.app.state.hub.message_writer
    written: list[list[str]] = []
    write_together = writer._write_together

    async def unchecked(session: Any, batch: list[NewMessage], order: NewWriteOrder) -> Any:
        written.append([send.content for send in batch])
        return await write_together(session, batch, order._replace(repeated=set()))  # the check saw nothing

    monkeypatch.setattr(writer, "_write_together", unchecked)
    try:
        async with held_writes(server, http, dm(http, bob, alice, "first")) as held:
            tasks = await held.started(
                dm(http, alice, bob, "before it"),
                dm(http, alice, bob, "the original", client_id="raced-000001"),
                dm(http, alice, bob, "after it"),
            )
            answers = await held.release(tasks)
        assert [answer.status_code for answer in answers] == [201, 200, 201], [answer.text for answer in answers]
        assert answers[1].json() == original
        assert ["before it", "the original", "after it"] in written  # tried together once...
        assert ["before it"] in written and ["after it"] in written  # ...then one transaction each
        history = (await http.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
        assert [m["content"] for m in history] == ["the original", "first", "before it", "after it"]
        for sent_id in (answers[0].json()["id"], answers[2].json()["id"]):
            await watcher.wait_for("message", lambda pushed, wanted=sent_id: pushed["id"] == wanted)
        await settle()
        pushed = [event["id"] for event in watcher.received("message")]
        assert sorted(pushed) == sorted({*pushed}), "a message was pushed twice"
        assert original["id"] not in pushed  # the repeat is answered, not pushed again
    finally:
        await watcher.disconnect()


async def test_a_batch_of_plain_dms_failed_by_a_constraint_is_written_one_send_at_a_time(
    server, http, make_user, monkeypatch
):
    """The one statement of a plain-DM batch is sent by asyncpg itself, whose errors SQLAlchemy does not wrap: a
    constraint failing it still has each send written alone, not every caller answered with the error."""
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite writes every batch in one transaction; the one-statement DM write is PostgreSQL's")
    alice, bob = await make_user(), await make_user()
    tried: list[list[str]] = []
    write_direct_messages = confab.domain.messages.group_commit.write_direct_messages

    async def failing_together(driver: Any, rows: list[DirectRow], sent_at: Any) -> DirectWrites:
        tried.append([row.content for row in rows])
        if len(rows) > 1:
            raise asyncpg.UniqueViolationError("as if a constraint the checks could not foresee failed")
        return await write_direct_messages(driver, rows, sent_at)

    monkeypatch.setattr(confab.domain.messages.group_commit, "write_direct_messages", failing_together)
    async with held_writes(server, http, dm(http, bob, alice, "first", client_id="alone-0000")) as held:
        tasks = await held.started(
            dm(http, alice, bob, "one", client_id="alone-0001"), dm(http, alice, bob, "two", client_id="alone-0002")
        )
        answers = await held.release(tasks)
    assert [answer.status_code for answer in answers] == [201, 201], [answer.text for answer in answers]
    assert ["one", "two"] in tried and ["one"] in tried and ["two"] in tried
    history = (await http.get("/api/messages", headers=bob.headers, params={"with": alice.id})).json()
    assert [message["content"] for message in history] == ["first", "one", "two"]


async def test_replies_and_files_go_through_a_batch(server, http, make_user):
    alice, bob = await make_user(), await make_user()
    room = await create_room(http, alice, members=[bob])
    root = await post_to_room(http, alice, room["id"], "the root")
    first_file = await uploaded(http, bob, b"one", "one.txt")
    second_file = await uploaded(http, bob, b"two", "two.txt")
    watcher = await RecordingClient().connect(server.url, alice.token)
    try:
        async with held_writes(server, http, dm(http, alice, bob, "first")) as held:
            tasks = await held.started(
                to_room(http, bob, room["id"], "reply with a file", thread_id=root["id"], file_ids=[first_file["id"]]),
                to_room(http, alice, room["id"], "second reply", thread_id=root["id"]),
                to_room(http, bob, room["id"], "same file again", file_ids=[first_file["id"]]),  # 409: taken above
                to_room(http, bob, room["id"], "a file, no thread", file_ids=[second_file["id"]]),
            )
            answers = await held.release(tasks)
        assert [answer.status_code for answer in answers] == [201, 201, 409, 201]
        assert len(held.batches[1]) == 4
        reply, second, _, plain = (answer.json() for answer in answers)
        assert reply["thread_id"] == root["id"] and second["thread_id"] == root["id"]
        assert [file["id"] for file in reply["files"]] == [first_file["id"]]
        assert [file["id"] for file in plain["files"]] == [second_file["id"]]
        thread = (await http.get(f"/api/messages/{root['id']}/thread", headers=bob.headers)).json()
        assert [message["content"] for message in thread] == ["reply with a file", "second reply"]
        # each reply pushed the root's summary as it left it; the newest counts both
        summary = await watcher.wait_for("message_updated", lambda m: m["thread"]["reply_count"] == 2)
        assert summary["id"] == root["id"]
        counts = sorted(
            m["thread"]["reply_count"] for m in watcher.received("message_updated") if m["id"] == root["id"]
        )
        assert counts == [1, 2]
    finally:
        await watcher.disconnect()


async def test_a_lone_send_waits_for_no_timer(server, make_user, monkeypatch):
    """With nothing in flight a send is written at once: neither the caller nor the writer arms a timer."""
    alice, bob = await make_user(), await make_user()
    writer: MessageWriter = server.app.state.hub.message_writer
    loop = asyncio.get_running_loop()
    timers: list[tuple[str, float]] = []
    original_call_at = loop.call_at

    def recording_call_at(when: float, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        task = asyncio.current_task()
        name = task.get_coro().__qualname__ if task is not None else "(no task)"
        if name.endswith(("_write_queued", "lone_send")):
            timers.append((name, when - loop.time()))
        return original_call_at(when, *args, **kwargs)

    async def lone_send() -> Any:
        send = NewMessage(
            author=PublicUser(id=alice.id, name=alice.name, nickname=alice.nickname),
            content="alone",
            file_ids=[],
            client_id=None,
            recipient=PublicUser(id=bob.id, name=bob.name, nickname=bob.nickname),
        )
        return await writer.write(send)

    assert writer.queued == 0
    monkeypatch.setattr(loop, "call_at", recording_call_at)
    written = await asyncio.create_task(lone_send())
    monkeypatch.undo()
    assert written.message is not None and written.message.content == "alone"
    assert timers == []


async def test_a_batch_takes_the_ordering_lock_once_and_commits_once(server, http, make_user):
    """On PostgreSQL the sends queued behind a held ordering lock are committed by one transaction."""
    if not server.settings.database_url.startswith("postgresql"):
        pytest.skip("transaction ids (xmin) are PostgreSQL's; SQLite's BEGIN IMMEDIATE is one writer anyway")
    alice, bob = await make_user(), await make_user()
    sessions = server.app.state.hub.session_maker
    async with held_writes(server, http, dm(http, alice, bob, "first")) as held:
        tasks = await held.started(*(dm(http, alice, bob, f"together {i}") for i in range(5)))
        answers = await held.release(tasks)
    ids = [answer.json()["id"] for answer in answers]
    async with sessions() as session:
        transactions = set(
            await session.scalars(text("SELECT xmin::text FROM messages WHERE id = ANY(:ids)"), {"ids": ids})
        )
    assert len(transactions) == 1


async def test_a_batch_stores_each_sends_mentions_and_alerts_after_its_message_never_for_a_refused_one(
    server, http, make_user
):
    alice, bob, carol, mallory, dave = [await make_user() for _ in range(5)]
    room = await create_room(http, alice, members=[bob, carol, mallory])
    root = await post_to_room(http, alice, room["id"], "a thread in the room")
    sockets = {}
    try:
        for person in (bob, carol):
            sockets[person.id] = await RecordingClient().connect(server.url, person.token)
        async with held_writes(server, http, dm(http, dave, alice, "first")) as held:
            tasks = await held.started(
                to_room(http, alice, room["id"], f"hi @{bob.nickname}"),
                to_room(http, mallory, room["id"], f"@{carol.nickname}, from someone removed meanwhile"),  # 403
                to_room(http, bob, room["id"], f"@{carol.nickname} look", thread_id=root["id"]),
                dm(
                    http, alice, bob, f"@{bob.nickname} and @{carol.nickname} in a DM"
                ),  # carol does not read it: not mentioned
            )
            removal = await http.delete(f"/api/rooms/{room['id']}/members/{mallory.id}", headers=alice.headers)
            assert removal.status_code == 204
            answers = await held.release(tasks)
        assert len(held.batches[1]) == 4
        assert [answer.status_code for answer in answers] == [201, 403, 201, 201]
        in_room, _, reply, direct = (answer.json() for answer in answers)
        assert (in_room["mentions"], reply["mentions"], direct["mentions"]) == ([bob.id], [carol.id], [bob.id])
        # stored in the batch's transaction: the pages read them back, and the mentioned follow the thread
        page = (await http.get(f"/api/rooms/{room['id']}/messages", headers=bob.headers)).json()
        assert {m["id"]: m["mentions"] for m in page}[in_room["id"]] == [bob.id]
        thread = (await http.get(f"/api/messages/{root['id']}/thread", headers=carol.headers)).json()
        assert [m["mentions"] for m in thread] == [[carol.id]]
        followed = (await http.get("/api/threads", headers=carol.headers)).json()
        assert [entry["root"]["id"] for entry in followed] == [root["id"]]
        mentions = (await http.get("/api/mentions", headers=bob.headers)).json()
        assert [m["id"] for m in mentions] == [direct["id"], in_room["id"]]

        bob_socket, carol_socket = sockets[bob.id], sockets[carol.id]
        await bob_socket.wait_for("notify", lambda n: n["message"]["id"] == direct["id"])
        await carol_socket.wait_for("notify", lambda n: n["message"]["id"] == reply["id"])
        await carol_socket.wait_for("notify", lambda n: n["message"]["id"] == in_room["id"])
        assert sorted((n["message"]["id"], n["reason"]) for n in bob_socket.received("notify")) == [
            (in_room["id"], "mention"),
            (direct["id"], "mention"),
        ]
        assert sorted((n["message"]["id"], n["reason"]) for n in carol_socket.received("notify")) == [
            (in_room["id"], "room"),
            (reply["id"], "mention"),
        ]
        # each alert comes after its message's push, and carries the message as pushed
        for socket in (bob_socket, carol_socket):
            names = [
                (name, data["id"] if name == "message" else data["message"]["id"])
                for name, data in socket.events
                if name in ("message", "notify")
            ]
            for name, message_id in names:
                if name == "notify":
                    assert names.index(("message", message_id)) < names.index(("notify", message_id))
    finally:
        for socket in sockets.values():
            await socket.disconnect()
