"""Who may see a message, and a message read back whole (with its reactions) for an answer or a push."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.messages.models import MessageModel
from confab.domain.messages.schemas import Message, to_message
from confab.domain.reactions.summaries import reactions_by_message
from confab.domain.rooms.access import IS_MEMBER
from confab.errors import NotFound


async def visible_message(session: AsyncSession, message_id: int, user_id: int) -> MessageModel:
    """The message when the user may read it: a party to the DM, or a current member of the room.

    Anyone else gets the same 404 as for a message that does not exist: message ids are not a way to
    learn what goes on in other people's conversations.
    """
    row = await session.scalar(
        select(MessageModel).where(MessageModel.id == message_id).execution_options(populate_existing=True)
    )
    if row is not None:
        if row.room_id is None and user_id in (row.author_id, row.recipient_id):
            return row
        if row.room_id is not None:
            member = await session.execute(IS_MEMBER, {"room_id": row.room_id, "user_id": user_id})
            if member.first() is not None:
                return row
    raise NotFound(f"no message with id {message_id}")


async def current_message(session: AsyncSession, message_id: int) -> Message:
    """The message as it is now in this transaction, reactions included."""
    row = await session.scalar(
        select(MessageModel).where(MessageModel.id == message_id).execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound(f"no message with id {message_id}")
    reactions = await reactions_by_message(session, [message_id])
    return to_message(row, reactions.get(message_id))
