"""What a reply hangs from, and who follows a thread because they took part in it.

Both run inside the reply's transaction, after the write order is taken (see
`confab.domain.messages.ordering`), so racing replies see each other and the root's summary counts all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.messages.access import MESSAGE_BY_ID, visible_message
from confab.domain.threads.models import ThreadFollowModel
from confab.errors import BadRequest, NotFound


async def reply_root(
    session: AsyncSession, thread_id: int, author_id: int, *, recipient_id: int | None, room_id: int | None
) -> int:
    """The id of the root a new message in the thread of `thread_id` hangs from.

    The author must be able to read that message (else 404) and it must be in the conversation the new
    message goes to (else 400). A reply to a reply joins the root's thread; a deleted root takes no more
    replies (400), though its thread stays readable.
    """
    row = await visible_message(session, thread_id, author_id)
    if row.thread_id is not None:
        row = (await session.execute(MESSAGE_BY_ID, {"message_id": row.thread_id})).first()
        if row is None:  # a reply's root is kept as a tombstone, never removed while replies exist
            raise NotFound(f"no message with id {thread_id}")
    if room_id is not None:
        same_conversation = row.room_id == room_id
    else:
        same_conversation = row.room_id is None and {row.author_id, row.recipient_id} == {author_id, recipient_id}
    if not same_conversation:
        raise BadRequest("thread_id: that message is in another conversation")
    if row.deleted:
        raise BadRequest("thread_id: that thread's first message was deleted; it takes no more replies")
    return row.id


def dialect_insert(session: AsyncSession) -> Any:
    """The session's dialect's INSERT, which knows ON CONFLICT."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def follow_as_participants(session: AsyncSession, root_id: int, root_author_id: int, replier_id: int) -> None:
    """The replier follows (again, if they had stopped); the root's author follows unless they chose not to."""
    insert = dialect_insert(session)
    following = ThreadFollowModel.__table__.c.following
    root_author = insert(ThreadFollowModel).values(user_id=root_author_id, root_id=root_id, following=True)
    await session.execute(
        root_author.on_conflict_do_update(
            index_elements=["user_id", "root_id"],
            set_={"following": case((following.is_(None), True), else_=following)},
        )
    )
    replier = insert(ThreadFollowModel).values(user_id=replier_id, root_id=root_id, following=True)
    await session.execute(
        replier.on_conflict_do_update(index_elements=["user_id", "root_id"], set_={"following": True})
    )


async def follow_when_mentioned(session: AsyncSession, root_id: int, user_ids: list[int]) -> None:
    """People a reply mentions follow its thread (so it shows in their `GET /api/threads`), unless they chose
    not to."""
    if not user_ids:
        return
    following = ThreadFollowModel.__table__.c.following
    statement = dialect_insert(session)(ThreadFollowModel).values(
        [{"user_id": user_id, "root_id": root_id, "following": True} for user_id in user_ids]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "root_id"],
            set_={"following": case((following.is_(None), True), else_=following)},
        )
    )
