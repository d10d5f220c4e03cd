"""Thread rules: following a thread, reading it, and listing the threads a user follows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import and_, case, func, or_, select

from confab.domain.files.attachments import files_by_message
from confab.domain.mentions.stored import mentions_by_message
from confab.domain.messages.access import visible_message
from confab.domain.messages.models import MessageModel
from confab.domain.messages.schemas import to_message
from confab.domain.reactions.summaries import reactions_by_message
from confab.domain.rooms.models import RoomMembershipModel
from confab.domain.threads.models import ThreadFollowModel
from confab.domain.threads.roots import dialect_insert
from confab.domain.threads.schemas import FollowedThread
from confab.domain.threads.summaries import summaries_by_root

if TYPE_CHECKING:
    from confab.realtime.hub import RealtimeHub


class ThreadService(SQLAlchemyAsyncRepositoryService[ThreadFollowModel]):
    """A thread is named by its root's id or any reply's; readers of the root are readers of the thread."""

    class Repo(SQLAlchemyAsyncRepository[ThreadFollowModel]):
        model_type = ThreadFollowModel

    repository_type = Repo

    def __init__(self, hub: RealtimeHub, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub

    async def _root_id(self, message_id: int, user_id: int) -> int:
        row = await visible_message(self.repository.session, message_id, user_id)
        return row.thread_id or row.id

    async def set_following(self, user_id: int, message_id: int, *, following: bool) -> None:
        """Follow or stop following the thread; an explicit choice outlasts the root author's automatic follow."""
        session = self.repository.session
        root_id = await self._root_id(message_id, user_id)
        statement = dialect_insert(session)(ThreadFollowModel).values(
            user_id=user_id, root_id=root_id, following=following
        )
        await session.execute(
            statement.on_conflict_do_update(index_elements=["user_id", "root_id"], set_={"following": following})
        )
        await session.commit()

    async def mark_read(self, user_id: int, message_id: int, last_read_id: int) -> None:
        """Move the user's read marker in the thread forward (never back, never past its latest reply)."""
        session = self.repository.session
        root_id = await self._root_id(message_id, user_id)
        latest = await session.scalar(select(func.max(MessageModel.id)).where(MessageModel.thread_id == root_id))
        value = min(last_read_id, latest or 0)
        statement = dialect_insert(session)(ThreadFollowModel).values(
            user_id=user_id, root_id=root_id, last_read_id=value
        )
        current = ThreadFollowModel.__table__.c.last_read_id
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "root_id"],
                set_={
                    "last_read_id": case(
                        (current < statement.excluded.last_read_id, statement.excluded.last_read_id), else_=current
                    )
                },
            )
        )
        await session.commit()

    async def followed(self, user_id: int, *, limit: int) -> list[FollowedThread]:
        """The threads the user follows and can still read (a DM they are party to, a room they are in),
        most recently active first: by their latest reply, or by the root while it has none."""
        session = self.repository.session
        follow = ThreadFollowModel
        rooms = select(RoomMembershipModel.room_id).where(RoomMembershipModel.user_id == user_id)
        latest_reply = (
            select(func.max(MessageModel.id).label("last_id"))
            .where(MessageModel.thread_id == follow.root_id)
            .correlate(follow)
            .scalar_subquery()
        )
        rows = (
            await session.execute(
                select(MessageModel)
                .join(follow, and_(follow.root_id == MessageModel.id, follow.user_id == user_id))
                .where(
                    follow.following.is_(True),
                    or_(
                        MessageModel.room_id.in_(rooms),
                        and_(
                            MessageModel.room_id.is_(None),
                            or_(MessageModel.author_id == user_id, MessageModel.recipient_id == user_id),
                        ),
                    ),
                )
                .order_by(func.coalesce(latest_reply, MessageModel.id).desc())
                .limit(limit)
            )
        ).scalars()
        roots = list(rows)
        root_ids = [root.id for root in roots]
        reactions = await reactions_by_message(session, root_ids)
        summaries = await summaries_by_root(session, root_ids)
        files = await files_by_message(session, root_ids, self.hub.file_links)
        mentions = await mentions_by_message(session, root_ids)
        unread = await self._unread(user_id, root_ids)
        threads = []
        for root in roots:
            summary = summaries.get(root.id)
            threads.append(
                FollowedThread(
                    root=to_message(
                        root,
                        reactions.get(root.id),
                        summary,
                        files.get(root.id),
                        mentions.get(root.id),
                        links=self.hub.file_links,
                    ),
                    reply_count=summary.reply_count if summary else 0,
                    last_reply_at=summary.last_reply_at if summary else None,
                    unread=unread.get(root.id, 0),
                )
            )
        return threads

    async def _unread(self, user_id: int, root_ids: list[int]) -> dict[int, int]:
        """Per thread: replies from others after the user's marker (tombstones aside), in one query."""
        if not root_ids:
            return {}
        follow = ThreadFollowModel
        rows = await self.repository.session.execute(
            select(MessageModel.thread_id, func.count())
            .join(follow, and_(follow.root_id == MessageModel.thread_id, follow.user_id == user_id))
            .where(
                MessageModel.thread_id.in_(root_ids),
                MessageModel.author_id != user_id,
                MessageModel.id > follow.last_read_id,
                MessageModel.deleted.is_(False),
            )
            .group_by(MessageModel.thread_id)
        )
        return {root_id: count for root_id, count in rows.tuples()}
