"""Who may see a message, and a message made whole (people, reactions) from its row for an answer or a push.

Rows are read with a Core select (or come back from the change's UPDATE ... RETURNING) and the people
come from the profile cache: the ORM's joined loading of author and recipient, twice per change, cost
more than the change itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.files.attachments import files_by_message
from confab.domain.mentions.stored import mentions_by_message
from confab.domain.messages.models import MessageModel
from confab.domain.messages.schemas import Message
from confab.domain.reactions.summaries import reactions_by_message
from confab.domain.rooms.access import IS_MEMBER
from confab.domain.threads.summaries import summaries_by_root
from confab.errors import NotFound

if TYPE_CHECKING:
    from confab.domain.accounts.profiles import PublicProfiles
    from confab.domain.files.links import FileLinks

_messages = MessageModel.__table__
MESSAGE_BY_ID = select(_messages).where(_messages.c.id == bindparam("message_id"))


async def visible_message(session: AsyncSession, message_id: int, user_id: int) -> Row[Any]:
    """The message's row when the user may read it: a party to the DM, or a current member of the room.

    Anyone else gets the same 404 as for a message that does not exist: message ids are not a way to
    learn what goes on in other people's conversations.
    """
    row = (await session.execute(MESSAGE_BY_ID, {"message_id": message_id})).first()
    if row is not None:
        if row.room_id is None and user_id in (row.author_id, row.recipient_id):
            return row
        if row.room_id is not None:
            member = await session.execute(IS_MEMBER, {"room_id": row.room_id, "user_id": user_id})
            if member.first() is not None:
                return row
    raise NotFound(f"no message with id {message_id}")


async def message_from_row(
    session: AsyncSession, profiles: PublicProfiles, links: FileLinks, row: Row[Any], *, has_reactions: bool = True
) -> Message:
    """A `Message` from its table row, with its reactions and files (freshly signed links) loaded, unless it
    cannot have any: a tombstone, and, for a message that is not itself a reply, its thread summary."""
    author = await profiles.get(session, row.author_id)
    if author is None:  # the foreign key guarantees the author; losing it in between is a bug
        raise NotFound(f"no user with id {row.author_id}")
    reactions = await reactions_by_message(session, [row.id]) if has_reactions else {}
    threads = await summaries_by_root(session, [row.id]) if row.thread_id is None else {}
    files = await files_by_message(session, [row.id], links) if has_reactions else {}
    mentions = await mentions_by_message(session, [row.id]) if has_reactions else {}
    return Message(
        id=row.id,
        content=row.content,
        date=row.created_at,
        author=author,
        seq=row.seq,
        recipient=await profiles.get(session, row.recipient_id) if row.recipient_id is not None else None,
        room_id=row.room_id,
        client_id=row.client_id,
        edited_at=row.edited_at,
        deleted=row.deleted,
        reactions=reactions.get(row.id, []),
        thread_id=row.thread_id,
        thread=threads.get(row.id),
        files=files.get(row.id, []),
        mentions=mentions.get(row.id, []),
    )
