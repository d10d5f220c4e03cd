"""Group commit for new messages: the sends that arrive while a write is in flight are written together.

Each worker has one `MessageWriter`. A send is queued; when no write is in flight, one starts at once
(one hop of the event loop, no timer: a lone sender waits for nothing but its own transaction). The
sends that arrive while it runs are written by the next transaction, all of them: one multi-row
INSERT ... RETURNING, one COMMIT, so under load N senders pay for one transaction instead of N.

Each send is still answered alone. The checks that can refuse one send (room membership, a `client_id`
seen before, its files, its thread) run for the whole batch in a few queries, before anything is
written, and a send they refuse gets its own error while the others go on. A send whose `client_id`
was used before (or earlier in the same batch) writes nothing: its caller looks the original up after
the commit. If the write itself fails on a constraint the checks could not foresee (another worker
inserting the same `client_id` at the same moment, a file claimed meanwhile), the batch is rolled back
and its sends are written one transaction each, so one bad row never fails the others. Callers are
resumed only after the COMMIT returns, and push their message (then its `notify` alerts) only then.

Mentions are part of the write: each send's readers (its rooms' members, one query for the batch) are read
with the checks, the people its text mentions among them are stored in the same transaction (one INSERT for
the batch), a reply's mentioned follow its thread, and each written send comes back with whom it alerts
(`confab.domain.notifications.audience`). A refused send stores no mention and alerts nobody.

Ordering: a batch takes the write order (`confab.domain.messages.ordering`) once, before its checks,
and holds it until its COMMIT; its messages get consecutive `seq` values (and ids) in arrival order
(plain DMs: below). On PostgreSQL that is one advisory lock per batch instead of one per message, taken
in the same round trip as the read of the highest `seq` and the check for repeated `client_id`s (the
batch's first statement).
The checks run under it because room membership changes take it too (`confab.domain.rooms.service`):
the members a batch reads as its readers (who get `notify`) and as allowed senders stay members until
its COMMIT, so someone removed from a room is never alerted to, nor written into, a message committed
after the removal.

On PostgreSQL a batch's plain DMs (each with a `client_id`, no files, no thread, nobody mentioned: no check
needs the worker between the lock and the INSERT) are one statement outside any transaction, which takes the
write order, finds the repeated `client_id`s and inserts the rest (`write_direct_messages`): one round trip
instead of four (BEGIN, the write order, the INSERT, COMMIT). In a batch that also holds other sends they are
written first, then the others in their transaction, except a plain DM whose author has an earlier send among
the others: it stays with them, so one author's messages keep their order. That statement is its own first
statement, so a connection found dead is retried as any first statement is (`confab.db.reconnect`); if PostgreSQL died
after committing it but before answering, the retry finds every row as a repeat of its own `client_id`, so
nothing is written twice (its sends answer their message unpushed, as a client's retry after a lost COMMIT
answer does; catch-up brings it to the recipient).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import asyncpg
from litestar.exceptions import HTTPException
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError as SQLAlchemyIntegrityError

from confab.db.engine import outside_transactions
from confab.db.held import HeldConnection
from confab.db.pairs import pairs_lookup, pairs_present
from confab.db.reconnect import retry_if_connection_died
from confab.db.types import utc_now
from confab.domain.accounts.schemas import PublicUser
from confab.domain.files.attachments import IS_AVATAR
from confab.domain.files.models import FileModel
from confab.domain.files.schemas import to_file
from confab.domain.mentions.models import MentionModel
from confab.domain.mentions.parsing import find_mentions
from confab.domain.messages.access import message_from_row
from confab.domain.messages.ordering import (
    INSERT_MESSAGES,
    DirectRow,
    NewWriteOrder,
    stamp_change,
    take_write_order_for_new,
    write_direct_messages,
)
from confab.domain.messages.schemas import Message
from confab.domain.notifications.audience import (
    Reader,
    alerts,
    dm_readers,
    mentioned_among,
    room_members,
    thread_followers,
)
from confab.domain.notifications.schemas import Reason
from confab.domain.rooms.access import require_membership
from confab.domain.rooms.models import RoomMembershipModel
from confab.domain.threads.roots import follow_as_participants, follow_when_mentioned, reply_root
from confab.errors import Conflict, NotFound

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from confab.domain.accounts.profiles import PublicProfiles
    from confab.domain.files.links import FileLinks

logger = logging.getLogger("confab.messages")

# At most this many sends per transaction: about 10 bound values each, far below either database's limit.
MAX_BATCH = 256


@dataclass(eq=False)
class NewMessage:
    """One send waiting to be written, already validated as far as it can be without the database."""

    author: PublicUser
    content: str
    file_ids: list[int]
    client_id: str | None
    recipient: PublicUser | None = None
    room_id: int | None = None
    thread_id: int | None = None
    outcome: asyncio.Future[Written] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Written(NamedTuple):
    """A send's result: its committed message, or None when its `client_id` was used before (nothing written);
    the thread root whose new summary this send is to push, if any (one send per root per batch); and whom
    its `notify` alerts, by reason (`confab.domain.notifications.audience.alerts`)."""

    message: Message | None
    root: Message | None = None
    alerts: dict[Reason, list[str]] | None = None


REPEATED = Written(None)


class Later:
    """The result of a send that repeats the `client_id` of an earlier send in its batch: it goes in the next
    batch, which finds the first one written (and answers a repeat) or refused (and writes this one)."""


LATER = Later()
Result = Written | Later | BaseException


class ClaimedMeanwhile(Exception):
    """A file passed the batch's checks but another worker's send attached it before this batch's UPDATE."""


def settled(results: list[Result | None]) -> list[Result]:
    """The batch's results once every send has one."""
    assert all(result is not None for result in results)
    return cast("list[Result]", results)


class MessageWriter:
    """Queues this worker's sends and writes them a batch per transaction (see the module docstring)."""

    def __init__(
        self, session_maker: async_sessionmaker[AsyncSession], profiles: PublicProfiles, links: FileLinks
    ) -> None:
        self.session_maker = session_maker
        self.profiles = profiles
        self.links = links
        engine: AsyncEngine = session_maker.kw["bind"]
        # PostgreSQL: where a batch of plain DMs is written in one statement, committed on its own, on a
        # connection kept between batches (`confab.db.held`).
        self.direct = HeldConnection(outside_transactions(engine)) if engine.dialect.name == "postgresql" else None
        self._queue: list[NewMessage] = []
        self._writing: asyncio.Task[None] | None = None

    async def close(self) -> None:
        """Give back the connection kept for plain DMs (the worker is stopping)."""
        if self.direct is not None:
            await self.direct.close()

    @property
    def queued(self) -> int:
        """How many sends wait for the next transaction (the one in flight not counted)."""
        return len(self._queue)

    async def write(self, send: NewMessage) -> Written:
        """Queue the send and wait until its batch has committed; the caller holds no database connection."""
        self._queue.append(send)
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_queued())
        return await send.outcome

    async def _write_queued(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                batch = [send for send in batch if not send.outcome.done()]  # a cancelled caller's send is dropped
                if batch:
                    await self._write_batch(batch)
        finally:
            self._writing = None

    async def _write_batch(self, batch: list[NewMessage]) -> None:
        """Write the batch in one transaction, or, when a constraint fails it, each send in its own. On PostgreSQL
        its plain DMs go first, in one statement of their own (`_plain_first`)."""
        plain, rest = self._plain_first(batch)
        if plain and rest:
            await self._write_batch(plain)
            await self._write_batch(rest)
            return
        try:
            results = await self._write_in_one_transaction(batch)
        except (SQLAlchemyIntegrityError, asyncpg.IntegrityConstraintViolationError, ClaimedMeanwhile) as error:
            if len(batch) > 1:
                for send in batch:
                    await self._write_batch([send])
                return
            results = [self._lone_refusal(batch[0], error)]
        except asyncio.CancelledError:  # the worker is stopping: nobody is left to answer
            for send in batch:
                send.outcome.cancel()
            raise
        except Exception as error:  # a database outage, say: every caller answers it as a lone send would
            results = [error] * len(batch)
        later = [send for send, result in zip(batch, results, strict=True) if result is LATER]
        self._queue[:0] = later
        for send, result in zip(batch, results, strict=True):
            if send.outcome.done() or isinstance(result, Later):
                continue
            if isinstance(result, BaseException):
                send.outcome.set_exception(result)
            else:
                send.outcome.set_result(result)

    def _plain_first(self, batch: list[NewMessage]) -> tuple[list[NewMessage], list[NewMessage]]:
        """The batch's plain DMs (`_plain_direct`) that may be written ahead of the rest, and the rest (on SQLite, all
        of it). A send stays with the rest when its author has an earlier send there, so each author's messages
        keep the order they were sent in (sends of different authors in one batch arrived together, in no order
        anyone could see)."""
        if self.direct is None:
            return [], batch
        plain: list[NewMessage] = []
        rest: list[NewMessage] = []
        waiting_authors: set[int] = set()
        for send in batch:
            if send.author.id not in waiting_authors and _plain_direct(send):
                plain.append(send)
            else:
                waiting_authors.add(send.author.id)
                rest.append(send)
        return plain, rest

    @staticmethod
    def _lone_refusal(send: NewMessage, error: Exception) -> Result:
        """A lone send refused by a constraint: a `client_id` another worker wrote first is a repeat; a file
        another send took first is a 409; anything else is the error itself."""
        if isinstance(error, ClaimedMeanwhile):
            return Conflict("a file was attached to another message meanwhile")
        # The driver names the constraint (plain DMs: asyncpg's own error, the others' wrapped by SQLAlchemy).
        if send.client_id is not None and "client_id" in str(getattr(error, "orig", error)):
            return REPEATED
        return error

    async def _write_in_one_transaction(self, batch: list[NewMessage]) -> list[Result]:
        """Take the write order first (the members the checks read stay members until the COMMIT), then write.

        A connection that died with a database restart fails that first statement, before anything is written:
        it is then made once more, on a fresh connection (`confab.db.reconnect`). A failure after it is never
        retried here.
        """
        if self.direct is not None and all(_plain_direct(send) for send in batch):  # `_plain_first`'s part
            return await self._write_direct(batch)
        client_ids = {(send.author.id, send.client_id) for send in batch if send.client_id is not None}
        async with self.session_maker() as session:
            order = await retry_if_connection_died(session, lambda: take_write_order_for_new(session, client_ids))
            return await self._write_together(session, batch, order)

    async def _write_together(
        self, session: AsyncSession, batch: list[NewMessage], order: NewWriteOrder
    ) -> list[Result]:
        """Under the write order: the batch's checks, then its rows (from `order.first_seq` on), files and thread
        summaries, and the COMMIT; a result per send."""
        results: list[Result | None] = [None] * len(batch)
        await self._check_memberships(session, batch, results)
        self._check_repeats(batch, results, order.repeated)
        seq = order.first_seq
        files = await self._check_files(session, batch, results)
        readers = await self._readers(session, batch, results)
        mentioned = {
            index: sorted(mentioned_among(readers[index], find_mentions(send.content)))
            for index, send in enumerate(batch)
            if results[index] is None
        }
        roots: dict[int, int] = {}
        for index, send in enumerate(batch):
            if results[index] is None and send.thread_id is not None:
                try:
                    roots[index] = await reply_root(
                        session,
                        send.thread_id,
                        send.author.id,
                        recipient_id=send.recipient.id if send.recipient else None,
                        room_id=send.room_id,
                    )
                except HTTPException as error:
                    results[index] = error
        writing = [index for index in range(len(batch)) if results[index] is None]
        date = utc_now()
        seqs: dict[int, int] = {}
        message_ids: dict[int, int] = {}
        pushed_roots: dict[int, Message] = {}
        followers: dict[int, set[int]] = {}
        plain = [index for index in writing if index not in roots]
        if plain:
            for index in plain:
                seqs[index], seq = seq, seq + 1
            rows = [self._row(batch[index], date, seqs[index], None) for index in plain]
            inserted = (await session.execute(INSERT_MESSAGES, rows)).all()
            ids_by_seq = {row_seq: message_id for message_id, row_seq in inserted}
            message_ids.update({index: ids_by_seq[seqs[index]] for index in plain})
        for index in writing:
            if index in roots:  # a reply at a time: each pushes the root's summary as its own insert left it
                seqs[index] = seq
                row = self._row(batch[index], date, seq, roots[index])
                message_ids[index] = (await session.execute(INSERT_MESSAGES, row)).one().id
                pushed_roots[index] = await self._count_reply(
                    session, roots[index], batch[index].author.id, mentioned[index]
                )
                followers[index] = await thread_followers(session, roots[index])
                seq = pushed_roots[index].seq + 1
        mention_rows = [
            {"message_id": message_ids[index], "user_id": user_id} for index in writing for user_id in mentioned[index]
        ]
        if mention_rows:
            await session.execute(insert(MentionModel.__table__), mention_rows)
        for index in writing:
            if batch[index].file_ids:
                await self._claim(session, batch[index], message_ids[index])
        await session.commit()
        for index in writing:
            send = batch[index]
            message = self._message(
                send, message_ids[index], seqs[index], date, files, mentioned[index], roots.get(index)
            )
            alerted = alerts(
                readers[index], set(mentioned[index]), direct=send.room_id is None, followers=followers.get(index)
            )
            results[index] = Written(message, pushed_roots.get(index), alerted)
        return settled(results)

    async def _write_direct(self, batch: list[NewMessage]) -> list[Result]:
        """A batch of plain DMs (`_plain_direct`) in one statement that commits on its own (module docstring)."""
        assert self.direct is not None
        results: list[Result | None] = [None] * len(batch)
        self._check_repeats(batch, results, set())  # a `client_id` repeated within the batch waits for the next
        writing = [index for index in range(len(batch)) if results[index] is None]
        rows = [_direct_row(batch[index]) for index in writing]
        date = utc_now()
        writes = await self.direct.run(lambda driver: write_direct_messages(driver, rows, date))
        fresh = [
            index
            for index, row in zip(writing, rows, strict=True)
            if (row.author_id, row.client_id) not in writes.repeated
        ]
        for index in writing:
            results[index] = REPEATED
        for index, (message_id, seq) in zip(fresh, writes.written, strict=True):
            send = batch[index]
            readers = dm_readers(send.author.id, send.recipient)
            results[index] = Written(
                self._message(send, message_id, seq, date, {}, [], None), None, alerts(readers, set(), direct=True)
            )
        return settled(results)

    def _message(
        self,
        send: NewMessage,
        message_id: int,
        seq: int,
        date: datetime,
        files: dict[int, FileModel],
        mentioned: list[int],
        thread_id: int | None,
    ) -> Message:
        """The message a written send became, as its push and its answer show it."""
        return Message(
            id=message_id,
            content=send.content,
            date=date,
            author=send.author,
            seq=seq,
            recipient=send.recipient,
            room_id=send.room_id,
            client_id=send.client_id,
            thread_id=thread_id,
            files=[to_file(files[file_id], self.links) for file_id in sorted(send.file_ids)],
            mentions=mentioned,
        )

    @staticmethod
    def _row(send: NewMessage, date: datetime, seq: int, root_id: int | None) -> dict[str, Any]:
        return {
            "content": send.content,
            "created_at": date,
            "author_id": send.author.id,
            "recipient_id": send.recipient.id if send.recipient else None,
            "room_id": send.room_id,
            "client_id": send.client_id,
            "thread_id": root_id,
            "seq": seq,
            "created_seq": seq,
        }

    async def _check_memberships(
        self, session: AsyncSession, batch: list[NewMessage], results: list[Result | None]
    ) -> None:
        """A room send by someone who is not (or no longer) a member is refused: 403, or 404 with no such room."""
        pairs = {(send.room_id, send.author.id) for send in batch if send.room_id is not None}
        if not pairs:
            return
        found = await pairs_present(session, MEMBERSHIPS, pairs)
        for index, send in enumerate(batch):
            if send.room_id is not None and (send.room_id, send.author.id) not in found:
                try:  # which refusal it is (no room, or not a member); passes if they joined in between
                    await require_membership(session, send.room_id, send.author.id)
                except HTTPException as error:
                    results[index] = error

    @staticmethod
    def _check_repeats(batch: list[NewMessage], results: list[Result | None], repeated: set[tuple[int, str]]) -> None:
        """A `client_id` its author used before (`repeated`, read with the write order) or earlier in this batch
        writes nothing (the caller answers it)."""
        in_batch: set[tuple[int, str]] = set()
        for index, send in enumerate(batch):
            if send.client_id is None or results[index] is not None:
                continue
            key = (send.author.id, send.client_id)
            if key in repeated:
                results[index] = REPEATED
            elif key in in_batch:
                results[index] = LATER
            else:
                in_batch.add(key)

    async def _check_files(
        self, session: AsyncSession, batch: list[NewMessage], results: list[Result | None]
    ) -> dict[int, FileModel]:
        """Each send's files must be its author's uploads, attached to nothing (nor to an earlier send of the batch).

        A file that does not exist or is someone else's is a 404 (ids say nothing about other people's
        uploads); one already attached, or that is the author's avatar, is a 409. The files found, by id.
        """
        wanted = {file_id for index, send in enumerate(batch) if results[index] is None for file_id in send.file_ids}
        if not wanted:
            return {}
        rows = await session.execute(select(FileModel, IS_AVATAR.label("is_avatar")).where(FileModel.id.in_(wanted)))
        files: dict[int, FileModel] = {}
        avatars: set[int] = set()
        for row in rows:
            files[row.FileModel.id] = row.FileModel
            if row.is_avatar:
                avatars.add(row.FileModel.id)
        claimed: set[int] = set()
        for index, send in enumerate(batch):
            if results[index] is not None or not send.file_ids:
                continue
            for file_id in send.file_ids:
                row = files.get(file_id)
                if row is None or row.owner_id != send.author.id:
                    results[index] = NotFound(f"no file with id {file_id}")
                    break
                if row.message_id is not None or file_id in claimed:
                    results[index] = Conflict(
                        f"file {file_id} is already attached to a message; upload it again to send it twice"
                    )
                    break
                if file_id in avatars:
                    results[index] = Conflict(f"file {file_id} is your avatar; upload it again to send it")
                    break
            else:
                claimed.update(send.file_ids)
        return files

    async def _claim(self, session: AsyncSession, send: NewMessage, message_id: int) -> None:
        claimed = await session.execute(
            update(FileModel)
            .where(
                FileModel.id.in_(send.file_ids),
                FileModel.owner_id == send.author.id,
                FileModel.message_id.is_(None),
                ~IS_AVATAR,
            )
            .values(message_id=message_id)
        )
        if claimed.rowcount != len(send.file_ids):  # another worker's send took one meanwhile
            raise ClaimedMeanwhile

    @staticmethod
    async def _readers(
        session: AsyncSession, batch: list[NewMessage], results: list[Result | None]
    ) -> dict[int, list[Reader]]:
        """Each send's readers besides its author (whom it can mention and alert): one query for all its rooms."""
        members = await room_members(
            session, {send.room_id for index, send in enumerate(batch) if results[index] is None and send.room_id}
        )
        return {
            index: (
                [reader for reader in members.get(send.room_id, []) if reader.id != send.author.id]
                if send.room_id is not None
                else dm_readers(send.author.id, send.recipient)
            )
            for index, send in enumerate(batch)
            if results[index] is None
        }

    async def _count_reply(self, session: AsyncSession, root_id: int, replier_id: int, mentioned: list[int]) -> Message:
        """The root takes a new `seq` for its new summary, read back here so that racing replies each push the
        count they made; the replier, the root's author and the people the reply mentions follow the thread."""
        root = await stamp_change(session, root_id)
        await follow_as_participants(session, root_id, root.author_id, replier_id)
        await follow_when_mentioned(session, root_id, mentioned)
        return await message_from_row(session, self.profiles, self.links, root)


def _plain_direct(send: NewMessage) -> bool:
    """A DM with a `client_id` that needs no check of the worker's under the write order: no files, no thread,
    nobody mentioned (see the module docstring)."""
    return (
        send.recipient is not None
        and send.client_id is not None
        and not send.file_ids
        and send.thread_id is None
        and not mentioned_among(dm_readers(send.author.id, send.recipient), find_mentions(send.content))
    )


def _direct_row(send: NewMessage) -> DirectRow:
    assert send.recipient is not None and send.client_id is not None  # `_plain_direct`
    return DirectRow(send.author.id, send.recipient.id, send.content, send.client_id)


_members_c = RoomMembershipModel.__table__.c
MEMBERSHIPS = pairs_lookup(_members_c.room_id, _members_c.user_id)
