"""The Socket.IO floor of the `ceiling` scenario: the bare server plus the least a durable chat send must do.

`bench.bare_socketio` writes nothing; confab must. This server adds what any durable DM on confab's stack
needs, and nothing of confab's own: the payload checked by a msgspec Struct, the message written through
SQLAlchemy Core to SQLite on confab's engine (`confab.db.engine.create_engine`: WAL, synchronous=NORMAL,
BEGIN IMMEDIATE, the inline driver), group-committed as confab does (the sends queued while a write is in
flight go in one multi-row INSERT ... RETURNING and one COMMIT), then the events confab sends for a DM:
`message` to both parties' channels, `notify` to the recipient's, and the ack. Its table (id, author,
recipient, content, created_at) is made at startup in a temporary file, removed at shutdown.
Served by uvicorn like confab: `uvicorn bench.floor_socketio:app`.

The `scale-out` scenario serves it on its own PostgreSQL and Redis too: `FLOOR_DATABASE_URL` (an empty
PostgreSQL database, written through confab's engine for PostgreSQL) and `FLOOR_REDIS_URL` (events pushed
through confab's Redis routing, `confab.realtime.routing.ChannelRouter`, as a scaled-out confab pushes them).
One process, so its writes need no ordering lock: the floor leaves out even what several workers would need.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import socketio
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from confab.db.engine import create_engine
from confab.db.types import utc_now
from confab.realtime import codec
from confab.realtime.routing import ChannelRouter
from confab.settings import Settings

metadata = MetaData()
messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("author", Integer, nullable=False),
    Column("recipient", Integer, nullable=False),
    Column("content", Text, nullable=False),
    Column("created_at", DateTimeUTC(timezone=True), nullable=False),
)
INSERT_MESSAGES = insert(messages).returning(messages.c.id)
# At most this many sends per transaction, as in confab's group commit.
MAX_BATCH = 256
# Where the floor writes and pushes; unset: a temporary SQLite file and the in-process manager.
DATABASE_URL = os.environ.get("FLOOR_DATABASE_URL")
REDIS_URL = os.environ.get("FLOOR_REDIS_URL")


class DirectMessage(msgspec.Struct, forbid_unknown_fields=True):
    recipient_id: Annotated[int, msgspec.Meta(ge=1)]
    content: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
    client_id: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class Person(msgspec.Struct):
    id: int
    name: str
    nickname: str


class Sent(msgspec.Struct):
    id: int
    content: str
    date: datetime
    author: Person
    recipient: Person
    room_id: int | None
    client_id: str | None


class Notification(msgspec.Struct):
    message: Sent
    reason: Literal["dm"]


@dataclass(eq=False)
class Pending:
    author: int
    recipient: int
    content: str
    outcome: asyncio.Future[tuple[int, datetime]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommit:
    """A queue of sends and one task writing them, all those queued per transaction; no checks, no retries."""

    def __init__(self) -> None:
        self.engine: AsyncEngine | None = None
        self._directory: Path | None = None
        self._queue: list[Pending] = []
        self._writing: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Create the table, on confab's engine: in `FLOOR_DATABASE_URL`, or else a fresh temporary SQLite file."""
        database_url = DATABASE_URL
        if database_url is None:
            self._directory = Path(tempfile.mkdtemp(prefix="confab-floor-"))
            database_url = f"sqlite+aiosqlite:///{self._directory / 'floor.db'}"
        self.engine = create_engine(Settings(database_url=database_url))
        async with self.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)

    async def write(self, author: int, recipient: int, content: str) -> tuple[int, datetime]:
        """Queue the message and wait until its batch has committed: its id and date."""
        pending = Pending(author, recipient, content)
        self._queue.append(pending)
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_queued())
        return await pending.outcome

    async def _write_queued(self) -> None:
        assert self.engine is not None
        try:
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                date = utc_now()
                rows = [
                    {"author": send.author, "recipient": send.recipient, "content": send.content, "created_at": date}
                    for send in batch
                ]
                try:
                    async with self.engine.begin() as connection:
                        # One writer, so the rows take consecutive ids in VALUES order; RETURNING's order is
                        # not promised, so sorting the ids puts them back in the batch's order.
                        ids = sorted((await connection.execute(INSERT_MESSAGES, rows)).scalars())
                except Exception as error:  # every caller hears of it rather than waiting forever
                    for send in batch:
                        send.outcome.set_exception(error)
                    continue
                for send, message_id in zip(batch, ids, strict=True):
                    send.outcome.set_result((message_id, date))
        finally:
            self._writing = None


sio = socketio.AsyncServer(
    async_mode="asgi",
    client_manager=ChannelRouter(REDIS_URL, channel_prefix="floor:socketio") if REDIS_URL else None,
    json=codec,
    ping_interval=20,
    ping_timeout=20,
)
writer = GroupCommit()
app = socketio.ASGIApp(sio, socketio_path="socket.io", on_startup=writer.open, on_shutdown=writer.close)


async def deliver(author_id: int, request: DirectMessage) -> Sent:
    """Write the message durably, then push it to both parties and alert the recipient, as confab does a DM."""
    message_id, date = await writer.write(author_id, request.recipient_id, request.content)
    message = Sent(
        id=message_id,
        content=request.content,
        date=date,
        author=Person(id=author_id, name="", nickname=""),
        recipient=Person(id=request.recipient_id, name="", nickname=""),
        room_id=None,
        client_id=request.client_id,
    )
    await sio.emit("message", message, to=[f"user:{author_id}", f"user:{request.recipient_id}"])
    await sio.emit("notify", Notification(message=message, reason="dm"), to=f"user:{request.recipient_id}")
    return message


@sio.event
async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
    user_id = int(auth["user"])
    await sio.save_session(sid, {"user_id": user_id})
    await sio.enter_room(sid, f"user:{user_id}")


@sio.on("send")
async def send(sid: str, data: Any) -> dict[str, Any]:
    author_id = (await sio.get_session(sid))["user_id"]
    try:
        request = msgspec.convert(data, DirectMessage)
    except msgspec.ValidationError as error:
        return {"ok": False, "status": 400, "detail": str(error)}
    return {"ok": True, "message": await deliver(author_id, request), "created": True}
