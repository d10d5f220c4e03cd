"""Message rules: who may send what to whom, who may read which history, and when it is pushed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from advanced_alchemy.exceptions import IntegrityError
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import ColumnElement, Row, Select, and_, case, delete, func, select, union, union_all
from sqlalchemy.dialects import postgresql, sqlite

from confab.db.on_demand import SessionOnDemand
from confab.db.types import utc_now
from confab.domain.accounts.models import UserModel
from confab.domain.accounts.schemas import PublicUser
from confab.domain.files.attachments import detach_all, files_by_message
from confab.domain.mentions.models import MentionModel
from confab.domain.mentions.parsing import find_mentions
from confab.domain.mentions.stored import mentions_by_message, replace_mentions
from confab.domain.messages.access import Parts, message_from_row, parts_of, visible_message
from confab.domain.messages.group_commit import NewMessage
from confab.domain.messages.models import MessageModel
from confab.domain.messages.ordering import stamp_change, take_write_order
from confab.domain.messages.schemas import Message, MessageCreate, MessageEdit, to_message
from confab.domain.notifications.audience import mentioned_among, readers_of
from confab.domain.reactions.models import ReactionModel
from confab.domain.reactions.summaries import reactions_by_message
from confab.domain.rooms.access import require_membership
from confab.domain.rooms.models import DirectReadMarkerModel, RoomMembershipModel, RoomModel
from confab.domain.threads.roots import follow_when_mentioned
from confab.domain.threads.summaries import summaries_by_root
from confab.errors import BadRequest, Conflict, Forbidden, NotFound

if TYPE_CHECKING:
    from confab.domain.rooms.schemas import RoomMessageCreate
    from confab.realtime.hub import RealtimeHub


class Sent(NamedTuple):
    """A send's outcome: the message, and whether this call created it (False: a repeated client_id)."""

    message: Message
    created: bool


class Change(NamedTuple):
    """A message in its latest state, and whether it was created after the cursor (else only changed)."""

    message: Message
    new: bool


class Sending:
    """The one way to send a message, REST or socket: checked, handed to this worker's group commit, then pushed.

    It is a plain object over the hub and a `SessionOnDemand`, not a `MessageService`: most sends read
    nothing themselves (profiles are remembered, the row is written by the group commit's own session), so
    a socket send opens no session and builds no repository (`confab.db.on_demand`).
    """

    def __init__(self, hub: RealtimeHub, reads: SessionOnDemand) -> None:
        self.hub = hub
        self.reads = reads

    async def direct(self, author: PublicUser, form: MessageCreate) -> Sent:
        """Store a DM, commit it, and only then push it to both parties' channels."""
        if form.author_id is not None and form.author_id != author.id:
            raise Forbidden("you can only send messages as yourself")
        recipient = await self._profile(form.recipient_id)
        if recipient is None:
            raise NotFound(f"no user with id {form.recipient_id}")
        if recipient.deleted:
            raise Forbidden("that account is closed: it cannot receive messages")
        return await self._store(
            form.content, form.file_ids, form.client_id, author=author, recipient=recipient, thread_id=form.thread_id
        )

    async def to_room(self, author: PublicUser, room_id: int, form: RoomMessageCreate) -> Sent:
        """Store a room message (members only), commit it, then push it once to the room's channel."""
        return await self._store(
            form.content, form.file_ids, form.client_id, author=author, room_id=room_id, thread_id=form.thread_id
        )

    async def _profile(self, user_id: int) -> PublicUser | None:
        profiles = self.hub.profiles
        return profiles.remembered(user_id) or await profiles.get(self.reads(), user_id)

    async def _store(
        self,
        content: str | None,
        file_ids: list[int] | None,
        client_id: str | None,
        *,
        author: PublicUser,
        recipient: PublicUser | None = None,
        room_id: int | None = None,
        thread_id: int | None = None,
    ) -> Sent:
        """Have the message written (with its mentions and files, in its thread) by this worker's group commit,
        then push it to its audience and alert (`notify`) the readers whose notification levels say so.

        Room membership, the `client_id`, the files and the thread are checked in the batch's transaction
        (`confab.domain.messages.group_commit`); a refusal there is raised here, for this send alone.
        """
        if content is None and not file_ids:
            raise BadRequest("a message needs content, files (`file_ids`), or both")
        # The profile as it is now (names change; a socket's saved profile is as it was at its handshake).
        author = await self._profile(author.id) or author
        if author.deleted:
            raise Forbidden("this account is closed")
        await self.reads.end_reads()  # what this request read so far (its token, say): no connection is held
        written = await self.hub.message_writer.write(
            NewMessage(
                author=author,
                content=content or "",
                file_ids=list(dict.fromkeys(file_ids or [])),
                client_id=client_id,
                recipient=recipient,
                room_id=room_id,
                thread_id=thread_id,
            )
        )
        if written.message is None:
            assert client_id is not None  # only a send with a client_id can repeat one
            service = MessageService(session=self.reads(), hub=self.hub)
            return Sent(await service.already_sent(author.id, client_id, recipient, room_id), created=False)
        await self.hub.message_created(written.message)
        if written.root is not None:
            await self.hub.message_updated(written.root)
        await self.hub.notify(written.message, written.alerts or {})
        return Sent(written.message, created=True)


class MessageService(SQLAlchemyAsyncRepositoryService[MessageModel]):
    """The one way to read and change messages (sending is `Sending`): REST and Socket.IO handlers both call
    these methods."""

    class Repo(SQLAlchemyAsyncRepository[MessageModel]):
        model_type = MessageModel

    repository_type = Repo

    def __init__(self, hub: RealtimeHub, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub

    async def already_sent(
        self, author_id: int, client_id: str, recipient: PublicUser | None, room_id: int | None
    ) -> Message:
        """The message this retry repeats. A retry goes where the original went: a `client_id` reused for
        another conversation is refused, since answering with that message would say this one was sent."""
        original = await self.repository.session.scalar(
            select(MessageModel).where(MessageModel.author_id == author_id, MessageModel.client_id == client_id)
        )
        if original is None:  # the constraint fired, so the row exists; losing it in between is a bug
            raise IntegrityError(detail="client_id conflict without an original message")
        if (original.room_id, original.recipient_id) != (room_id, recipient.id if recipient else None):
            raise Conflict(f"client_id {client_id!r} was already used for a message to another conversation")
        return (await self.whole_messages([original]))[0]

    async def direct_history(
        self,
        user_id: int,
        *,
        peer_id: int | None,
        after: int | None,
        before: int | None,
        limit: int,
        around: int | None = None,
    ) -> list[Message]:
        """The user's DMs (optionally only those with `peer_id`), ascending by id, one page of them."""
        if peer_id is None:
            branches = [
                and_(MessageModel.author_id == user_id, MessageModel.recipient_id.is_not(None)),
                MessageModel.recipient_id == user_id,
            ]
        else:
            branches = [
                and_(MessageModel.author_id == user_id, MessageModel.recipient_id == peer_id),
                and_(MessageModel.author_id == peer_id, MessageModel.recipient_id == user_id),
            ]
        main = MessageModel.thread_id.is_(None)  # replies are read in their thread
        branches = [and_(branch, main) for branch in branches]
        if around is not None:
            return await self._page_around(branches, around, limit)
        return await self._page(branches, after=after, before=before, limit=limit)

    async def room_history(
        self,
        user_id: int,
        room_id: int,
        *,
        after: int | None,
        before: int | None,
        limit: int,
        around: int | None = None,
    ) -> list[Message]:
        await require_membership(self.repository.session, room_id, user_id)
        branches = [and_(MessageModel.room_id == room_id, MessageModel.thread_id.is_(None))]  # replies: in their thread
        if around is not None:
            return await self._page_around(branches, around, limit)
        return await self._page(branches, after=after, before=before, limit=limit)

    async def thread_history(
        self,
        user_id: int,
        message_id: int,
        *,
        after: int | None,
        before: int | None,
        limit: int,
        around: int | None = None,
    ) -> list[Message]:
        """The replies of the thread `message_id` is in (the root's own, or a reply's), for a reader of the root;
        `around` centres the page on one reply, as in the conversation histories."""
        row = await visible_message(self.repository.session, message_id, user_id)
        branches = [MessageModel.thread_id == (row.thread_id or row.id)]
        if around is not None:
            return await self._page_around(branches, around, limit)
        return await self._page(branches, after=after, before=before, limit=limit)

    async def _page_around(self, branches: Sequence[ColumnElement[bool]], around: int, limit: int) -> list[Message]:
        """A page centred on message `around` ("jump to message"): the message and up to `(limit - 1) // 2`
        newer ones, preceded by older ones to fill the page, ascending by id. An id that is not in the
        conversation centres the page on where it would be."""
        newer = await self._page(branches, after=around - 1, before=None, limit=(limit - 1) // 2 + 1)
        older_count = limit - len(newer)
        older = await self._page(branches, after=None, before=around, limit=older_count) if older_count else []
        return older + newer

    async def visible_since(self, user_id: int, room_ids: Sequence[int], *, after: int, limit: int) -> list[Message]:
        """Every message the user may see (their DMs, their rooms') with an id above `after`, oldest first."""
        branches: list[ColumnElement[bool]] = [
            and_(MessageModel.author_id == user_id, MessageModel.recipient_id.is_not(None)),
            MessageModel.recipient_id == user_id,
        ]
        if room_ids:
            # One branch for every room: a branch each would hit SQLite's limit of 500 terms per UNION.
            branches.append(MessageModel.room_id.in_(room_ids))
        return await self._page(branches, after=after, before=None, limit=limit)

    async def _page(
        self, branches: Sequence[ColumnElement[bool]], *, after: int | None, before: int | None, limit: int
    ) -> list[Message]:
        """One page of the messages matching any branch.

        With `after`, the oldest `limit` messages past it (catching up); otherwise the newest `limit`
        (below `before` if given). Each branch is its own index range scan, merged with a UNION, so a
        page costs the same however large the table is. The result is always ascending by id.
        """
        forward = after is not None
        order = MessageModel.id.asc() if forward else MessageModel.id.desc()

        def branch_ids(condition: ColumnElement[bool]) -> Select[tuple[int]]:
            query = select(MessageModel.id).where(condition)
            if after is not None:
                query = query.where(MessageModel.id > after)
            if before is not None:
                query = query.where(MessageModel.id < before)
            return select(query.order_by(order).limit(limit).subquery().c.id)

        page_ids = union(*(branch_ids(condition) for condition in branches)).subquery()
        rows = list(
            await self.repository.session.scalars(
                select(MessageModel).where(MessageModel.id.in_(select(page_ids.c.id))).order_by(order).limit(limit)
            )
        )
        if not forward:
            rows.reverse()
        return await self.whole_messages(rows)

    async def whole_messages(self, rows: Sequence[MessageModel]) -> list[Message]:
        """Messages with their reactions, files, thread summaries and mentions, each loaded for the whole page in
        one query."""
        session = self.repository.session
        ids = [row.id for row in rows]
        reactions = await reactions_by_message(session, ids)
        files = await files_by_message(session, ids, self.hub.file_links)
        threads = await summaries_by_root(session, [row.id for row in rows if row.thread_id is None])
        mentions = await mentions_by_message(session, ids)
        links = self.hub.file_links
        return [
            to_message(
                row, reactions.get(row.id), threads.get(row.id), files.get(row.id), mentions.get(row.id), links=links
            )
            for row in rows
        ]

    async def edit(self, editor: PublicUser, message_id: int, form: MessageEdit) -> Message:
        """Replace the text of the editor's own message, commit, then push `message_updated` to its audience.

        The mentions are found again in the new text, among the message's readers now; an edit alerts nobody
        (no `notify`), as in most chat products, though a new mention counts as unread and is listed in
        `GET /api/mentions`. Sending the text it already has changes nothing: no new `seq`, no push.
        """
        session = self.repository.session
        await take_write_order(session)
        row = await visible_message(session, message_id, editor.id)
        if row.author_id != editor.id:
            raise Forbidden("only the author can edit a message")
        if row.deleted:
            raise Conflict("this message was deleted; it cannot be edited")
        if row.content == form.content:
            unchanged = await message_from_row(session, self.hub.profiles, self.hub.file_links, row, parts_of(row))
            await session.commit()
            return unchanged
        edited = await stamp_change(session, message_id, content=form.content, edited_at=utc_now())
        mentioned: list[int] = []
        if wanted := find_mentions(form.content):  # the readers are only needed to resolve mentions
            recipient = await self.hub.profiles.get(session, row.recipient_id) if row.recipient_id is not None else None
            readers = await readers_of(session, editor.id, recipient=recipient, room_id=row.room_id)
            mentioned = list(mentioned_among(readers, wanted))
        mentions = await replace_mentions(session, message_id, mentioned, had_mentions=row.has_mentions)
        if row.thread_id is not None:
            await follow_when_mentioned(session, row.thread_id, mentions)
        return await self._commit_and_push(
            await message_from_row(
                session, self.hub.profiles, self.hub.file_links, edited, parts_of(row)._replace(mentions=bool(mentions))
            )
        )

    async def delete_message(self, caller_id: int, message_id: int) -> None:
        """Leave a tombstone: the text, reactions and files are erased (the files from storage too, after the
        commit), the row keeps its place.

        The author may delete; in a room, the room's owner may too. Deleting again changes nothing.
        """
        session = self.repository.session
        await take_write_order(session)
        row = await visible_message(session, message_id, caller_id)
        if row.author_id != caller_id and not await self._owns_room_of(row, caller_id):
            raise Forbidden("only the author or the room's owner can delete a message")
        if row.deleted:
            await session.commit()
            return
        parts = parts_of(row)
        if parts.reactions:
            await session.execute(delete(ReactionModel).where(ReactionModel.message_id == message_id))
        stored_files = await detach_all(session, message_id) if parts.files else []
        if parts.mentions:
            await replace_mentions(session, message_id, [])
        tombstone = await stamp_change(session, message_id, content="", deleted=True)
        # a tombstone keeps only its thread
        remains = Parts(reactions=False, files=False, replies=parts.replies, mentions=False)
        await self._commit_and_push(
            await message_from_row(session, self.hub.profiles, self.hub.file_links, tombstone, remains)
        )
        await self.hub.file_storage.delete(stored_files)

    async def _owns_room_of(self, row: Row[Any], user_id: int) -> bool:
        if row.room_id is None:
            return False
        owner_id = await self.repository.session.scalar(select(RoomModel.owner_id).where(RoomModel.id == row.room_id))
        return owner_id == user_id

    async def _commit_and_push(self, message: Message) -> Message:
        """Commit the change (`message`, read inside its transaction, matches its `seq`), then push it."""
        session = self.repository.session
        await session.commit()
        await self.hub.message_updated(message)
        return message

    async def changes_since(
        self, user_id: int, *, since: int, limit: int, room_ids: Sequence[int] | None = None
    ) -> list[Change]:
        """Every message the user may see whose `seq` is above `since`, in its latest state, ascending by `seq`.

        `room_ids` are the user's rooms when the caller already knows them (the handshake does); otherwise
        the user's current memberships. Rooms the user has left are not included, as for `visible_since`.
        """
        rooms: Any
        if room_ids is None:
            rooms = select(RoomMembershipModel.room_id).where(RoomMembershipModel.user_id == user_id)
        else:
            rooms = list(room_ids)
        branches: list[ColumnElement[bool]] = [
            and_(MessageModel.author_id == user_id, MessageModel.recipient_id.is_not(None)),
            MessageModel.recipient_id == user_id,
            MessageModel.room_id.in_(rooms),
        ]

        def branch_ids(condition: ColumnElement[bool]) -> Select[tuple[int]]:
            query = select(MessageModel.id).where(condition, MessageModel.seq > since)
            return select(query.order_by(MessageModel.seq).limit(limit).subquery().c.id)

        page_ids = union(*(branch_ids(condition) for condition in branches)).subquery()
        rows = list(
            await self.repository.session.scalars(
                select(MessageModel)
                .where(MessageModel.id.in_(select(page_ids.c.id)))
                .order_by(MessageModel.seq)
                .limit(limit)
            )
        )
        messages = await self.whole_messages(rows)
        return [Change(message, new=row.created_seq > since) for row, message in zip(rows, messages, strict=True)]

    async def latest_seq(self) -> int:
        """The highest `seq` committed so far (0 before the first message)."""
        return await self.repository.session.scalar(select(func.coalesce(func.max(MessageModel.seq), 0))) or 0

    async def correspondents(self, user_id: int) -> list[str]:
        """Nicknames of everyone the user has exchanged a DM with (they are shown the user's presence)."""
        sent_to = select(MessageModel.recipient_id.label("peer_id")).where(
            MessageModel.author_id == user_id, MessageModel.recipient_id.is_not(None)
        )
        received_from = select(MessageModel.author_id.label("peer_id")).where(MessageModel.recipient_id == user_id)
        peers = union(sent_to, received_from).subquery()
        rows = await self.repository.session.scalars(
            select(UserModel.nickname).where(UserModel.id.in_(select(peers.c.peer_id)), UserModel.id != user_id)
        )
        return list(rows)

    async def recent_conversations(
        self, user_id: int, limit: int, before_message_id: int | None = None
    ) -> list[tuple[int, int]]:
        """(peer id, id of the latest DM between us) for the people the user has a DM conversation with, most
        recently active first, `limit` of them, only conversations last active before `before_message_id`."""
        sent_to = (
            select(MessageModel.recipient_id.label("peer_id"), func.max(MessageModel.id).label("last_id"))
            .where(MessageModel.author_id == user_id, MessageModel.recipient_id.is_not(None))
            .group_by(MessageModel.recipient_id)
        )
        received_from = (
            select(MessageModel.author_id.label("peer_id"), func.max(MessageModel.id).label("last_id"))
            .where(MessageModel.recipient_id == user_id)
            .group_by(MessageModel.author_id)
        )
        both = union_all(sent_to, received_from).subquery()
        latest = func.max(both.c.last_id)
        statement = select(both.c.peer_id, latest).group_by(both.c.peer_id).order_by(latest.desc()).limit(limit)
        if before_message_id is not None:
            statement = statement.having(latest < before_message_id)
        rows = await self.repository.session.execute(statement)
        return [(peer_id, last_id) for peer_id, last_id in rows.tuples()]

    async def unread_direct_counts(self, user_id: int) -> dict[int, tuple[int, int]]:
        """Per peer, how many DMs they sent the user after the user's read marker for them (tombstones aside), and
        how many of those mention the user; one query."""
        marker = DirectReadMarkerModel
        mention = MentionModel
        rows = await self.repository.session.execute(
            select(MessageModel.author_id, func.count(), func.count(mention.user_id))
            .outerjoin(marker, and_(marker.user_id == user_id, marker.peer_id == MessageModel.author_id))
            .outerjoin(mention, and_(mention.message_id == MessageModel.id, mention.user_id == user_id))
            .where(
                MessageModel.recipient_id == user_id,
                MessageModel.author_id != user_id,
                MessageModel.id > func.coalesce(marker.last_read_id, 0),
                MessageModel.deleted.is_(False),  # a message taken back is nothing left to read
                MessageModel.thread_id.is_(None),  # replies are counted per thread (`GET /api/threads`)
            )
            .group_by(MessageModel.author_id)
        )
        return {peer_id: (count, mentions) for peer_id, count, mentions in rows.tuples()}

    async def mark_direct_read(self, user_id: int, peer_id: int, last_read_id: int) -> None:
        """Move the user's marker for `peer_id`'s DMs forward (never back, never past the latest one)."""
        session = self.repository.session
        if await self.hub.profiles.get(session, peer_id) is None:
            raise NotFound(f"no user with id {peer_id}")
        latest = await session.scalar(
            select(func.max(MessageModel.id)).where(
                MessageModel.author_id == peer_id, MessageModel.recipient_id == user_id
            )
        )
        value = min(last_read_id, latest or 0)
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(DirectReadMarkerModel).values(user_id=user_id, peer_id=peer_id, last_read_id=value)
        current = DirectReadMarkerModel.__table__.c.last_read_id
        statement = statement.on_conflict_do_update(
            index_elements=["user_id", "peer_id"],
            set_={
                "last_read_id": case(
                    (current < statement.excluded.last_read_id, statement.excluded.last_read_id), else_=current
                )
            },
        )
        await session.execute(statement)
        await session.commit()
