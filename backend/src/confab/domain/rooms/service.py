"""Room rules: creating rooms, who may add or remove whom, ownership hand-over, read markers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from confab.db.types import utc_now
from confab.domain.accounts.models import UserModel
from confab.domain.accounts.schemas import PublicUser
from confab.domain.files.attachments import files_by_message
from confab.domain.mentions.models import MentionModel
from confab.domain.mentions.stored import mentions_by_message
from confab.domain.messages.models import MessageModel
from confab.domain.messages.ordering import take_write_order
from confab.domain.messages.schemas import to_message
from confab.domain.reactions.summaries import reactions_by_message
from confab.domain.rooms.access import require_membership
from confab.domain.rooms.models import RoomMembershipModel, RoomModel
from confab.domain.rooms.schemas import Room, RoomCreate, RoomSummary, to_room
from confab.domain.threads.summaries import summaries_by_root
from confab.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from confab.realtime.hub import RealtimeHub


class RoomService(SQLAlchemyAsyncRepositoryService[RoomModel]):
    """Every change is committed before the live sockets concerned are told (and moved in or out)."""

    class Repo(SQLAlchemyAsyncRepository[RoomModel]):
        model_type = RoomModel

    repository_type = Repo

    def __init__(self, hub: RealtimeHub, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub

    async def create(self, owner: PublicUser, form: RoomCreate) -> Room:
        session = self.repository.session
        member_ids = list(dict.fromkeys([owner.id, *form.member_ids]))
        rows = await session.execute(select(UserModel.id, UserModel.deleted_at).where(UserModel.id.in_(member_ids)))
        found = {user_id: deleted_at for user_id, deleted_at in rows.tuples()}
        missing = [user_id for user_id in member_ids if user_id not in found]
        if missing:
            raise NotFound(f"no user with id {missing[0]}")
        closed = [user_id for user_id in member_ids if found[user_id] is not None]
        if closed:
            raise Forbidden(f"the account of user {closed[0]} is closed")
        now = utc_now()
        room = RoomModel(name=form.name, owner_id=owner.id, created_at=now)
        room.memberships = [RoomMembershipModel(user_id=user_id, joined_at=now) for user_id in member_ids]
        session.add(room)
        await session.commit()
        created = await self._load(room.id)
        await self.hub.members_joined(created, member_ids)
        return created

    async def show(self, caller_id: int, room_id: int) -> Room:
        await require_membership(self.repository.session, room_id, caller_id)
        return await self._load(room_id)

    async def list_for(self, caller_id: int) -> list[RoomSummary]:
        """The caller's rooms, most recently active first, each with its last message, unread counts and the
        caller's notification level."""
        session = self.repository.session
        memberships = await session.execute(
            select(RoomMembershipModel.room_id, RoomMembershipModel.notification_level).where(
                RoomMembershipModel.user_id == caller_id
            )
        )
        levels = {room_id: level for room_id, level in memberships.tuples()}
        room_ids = list(levels)
        if not room_ids:
            return []
        rooms = {room.id: room for room in await session.scalars(select(RoomModel).where(RoomModel.id.in_(room_ids)))}
        latest_ids = await session.execute(
            select(MessageModel.room_id, func.max(MessageModel.id))
            .where(MessageModel.room_id.in_(room_ids), MessageModel.thread_id.is_(None))
            .group_by(MessageModel.room_id)
        )
        latest_rows = list(
            await session.scalars(
                select(MessageModel).where(MessageModel.id.in_([latest_id for _room, latest_id in latest_ids.tuples()]))
            )
        )
        reactions = await reactions_by_message(session, [row.id for row in latest_rows])
        threads = await summaries_by_root(session, [row.id for row in latest_rows])
        files = await files_by_message(session, [row.id for row in latest_rows], self.hub.file_links)
        mentions = await mentions_by_message(session, [row.id for row in latest_rows])
        latest = {
            row.room_id: to_message(
                row,
                reactions.get(row.id),
                threads.get(row.id),
                files.get(row.id),
                mentions.get(row.id),
                links=self.hub.file_links,
            )
            for row in latest_rows
        }
        unread = await self._unread_counts(caller_id)
        summaries = [
            RoomSummary(
                **msgspec.structs.asdict(to_room(rooms[room_id], self.hub.file_links)),
                last_message=latest.get(room_id),
                unread=unread.get(room_id, (0, 0))[0],
                mentions_unread=unread.get(room_id, (0, 0))[1],
                notification_level=levels[room_id],
            )
            for room_id in room_ids
        ]
        summaries.sort(
            key=lambda summary: (summary.last_message.date if summary.last_message else summary.created_at, summary.id),
            reverse=True,
        )
        return summaries

    async def _unread_counts(self, caller_id: int) -> dict[int, tuple[int, int]]:
        """Per room: the unread messages, and how many of them mention the caller, in one query."""
        mention = MentionModel
        rows = await self.repository.session.execute(
            select(MessageModel.room_id, func.count(), func.count(mention.user_id))
            .join(
                RoomMembershipModel,
                and_(RoomMembershipModel.room_id == MessageModel.room_id, RoomMembershipModel.user_id == caller_id),
            )
            .outerjoin(mention, and_(mention.message_id == MessageModel.id, mention.user_id == caller_id))
            .where(
                MessageModel.id > RoomMembershipModel.last_read_id,
                MessageModel.author_id != caller_id,
                MessageModel.deleted.is_(False),  # a message taken back is nothing left to read
                MessageModel.thread_id.is_(None),  # replies are counted per thread (`GET /api/threads`)
            )
            .group_by(MessageModel.room_id)
        )
        return {room_id: (count, mentions) for room_id, count, mentions in rows.tuples()}

    async def add_member(self, caller_id: int, room_id: int, user_id: int) -> Room:
        """Any member may add anyone; adding a member again changes nothing."""
        session = self.repository.session
        await require_membership(session, room_id, caller_id)
        profile = await self.hub.profiles.get(session, user_id)
        if profile is None:
            raise NotFound(f"no user with id {user_id}")
        if profile.deleted:
            raise Forbidden("that account is closed")
        if await session.get(RoomMembershipModel, (room_id, user_id)) is not None:
            return await self._load(room_id)
        session.add(RoomMembershipModel(room_id=room_id, user_id=user_id, joined_at=utc_now()))
        try:
            await session.commit()
        except IntegrityError:  # a concurrent request added them first: it also tells the members
            await session.rollback()
            return await self._load(room_id)
        room = await self._load(room_id)
        await self.hub.members_joined(room, [user_id])
        return room

    async def remove_member(self, caller_id: int, room_id: int, user_id: int) -> None:
        """A member may leave; the owner may remove anyone. When the owner goes, the longest-standing
        remaining member becomes owner; when the last member goes, the room stays, frozen, with its history."""
        session = self.repository.session
        await take_write_order(session)  # no message batch reads this room's members while they change
        await require_membership(session, room_id, caller_id)
        room = await session.get(RoomModel, room_id)
        assert room is not None  # require_membership found the room
        if caller_id != user_id and caller_id != room.owner_id:
            raise Forbidden("only the room's owner can remove other members")
        target = next((member for member in room.memberships if member.user_id == user_id), None)
        if target is None:
            raise NotFound(f"user {user_id} is not a member of this room")
        nickname = target.user.nickname
        room.memberships.remove(target)  # longest-standing first, so the successor is the new head
        if room.owner_id == user_id:
            room.owner_id = room.memberships[0].user_id if room.memberships else None
        # Out of the channel before the commit: once the removal is visible, no room event may reach them.
        # And again after it, for a socket whose handshake read the membership before the commit: it
        # reads it again once it is in presence, so either that read or this eviction catches it.
        await self.hub.evict(room_id, user_id)
        await session.commit()
        await self.hub.evict(room_id, user_id)
        await self.hub.member_left(await self._load(room_id), nickname)

    async def leave_all(self, user_id: int) -> list[int]:
        """Within the caller's transaction (closing an account): take the user out of every room, each owned
        room passing to its longest-standing remaining member, as when an owner leaves. The rooms' ids."""
        session = self.repository.session
        await take_write_order(session)  # as `remove_member`
        room_ids = await self.room_ids_of(user_id)
        for room in await session.scalars(select(RoomModel).where(RoomModel.id.in_(room_ids))):
            room.memberships = [member for member in room.memberships if member.user_id != user_id]
            if room.owner_id == user_id:
                room.owner_id = room.memberships[0].user_id if room.memberships else None
            await self.hub.evict(room.id, user_id)
        return room_ids

    async def announce_departures(self, room_ids: list[int], user_id: int, nickname: str) -> None:
        """After `leave_all` committed: out of the channels again (a late handshake), and every member told."""
        for room_id in room_ids:
            await self.hub.evict(room_id, user_id)
            await self.hub.member_left(await self._load(room_id), nickname)

    async def mark_read(self, caller_id: int, room_id: int, last_read_id: int) -> None:
        """Move the caller's read marker forward (never back, never past the room's latest message)."""
        session = self.repository.session
        await require_membership(session, room_id, caller_id)
        latest = await session.scalar(select(func.max(MessageModel.id)).where(MessageModel.room_id == room_id))
        value = min(last_read_id, latest or 0)
        await session.execute(
            update(RoomMembershipModel)
            .where(
                RoomMembershipModel.room_id == room_id,
                RoomMembershipModel.user_id == caller_id,
                RoomMembershipModel.last_read_id < value,
            )
            .values(last_read_id=value)
        )
        await session.commit()

    async def room_ids_of(self, user_id: int) -> list[int]:
        return list(
            await self.repository.session.scalars(
                select(RoomMembershipModel.room_id).where(RoomMembershipModel.user_id == user_id)
            )
        )

    async def _load(self, room_id: int) -> Room:
        session = self.repository.session
        row = await session.scalar(
            select(RoomModel).where(RoomModel.id == room_id).execution_options(populate_existing=True)
        )
        if row is None:
            raise NotFound(f"no room with id {room_id}")
        return to_room(row, self.hub.file_links)
