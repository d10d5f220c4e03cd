"""Who may see a message, and a message made whole (people, reactions) from its row for an answer or a push.

Rows are read with a Core select (or come back from the change's UPDATE ... RETURNING) and the people
come from the profile cache: the ORM's joined loading of author and recipient, twice per change, cost
more than the change itself. The read that checks who may see a message also says whether it has
reactions, files and replies, so that making it whole skips the queries for what it does not have (most
messages have none of them; each query is a good part of what a change costs, bench/RESULTS.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Row, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.files.attachments import files_by_message
from confab.domain.files.models import FileModel
from confab.domain.mentions.models import MentionModel
from confab.domain.mentions.stored import mentions_by_message
from confab.domain.messages.models import MessageModel
from confab.domain.messages.schemas import Message
from confab.domain.reactions.models import ReactionModel
from confab.domain.reactions.schemas import Reaction
from confab.domain.reactions.summaries import reactions_by_message
from confab.domain.rooms.models import RoomMembershipModel
from confab.domain.threads.summaries import summaries_by_root
from confab.errors import NotFound

if TYPE_CHECKING:
    from confab.domain.accounts.profiles import PublicProfiles
    from confab.domain.files.links import FileLinks

_messages = MessageModel.__table__
_reactions = ReactionModel.__table__
_files = FileModel.__table__
_mentions = MentionModel.__table__
_members = RoomMembershipModel.__table__
_replies = _messages.alias("replies")
MESSAGE_BY_ID = select(_messages).where(_messages.c.id == bindparam("message_id"))
# The row, whether the user is a member of its room (for a room message), and what else it has; one query.
VISIBLE_MESSAGE = select(
    _messages,
    exists()
    .where(_members.c.room_id == _messages.c.room_id, _members.c.user_id == bindparam("user_id"))
    .label("in_room"),
    exists().where(_reactions.c.message_id == _messages.c.id).label("has_reactions"),
    exists().where(_files.c.message_id == _messages.c.id).label("has_files"),
    exists().where(_mentions.c.message_id == _messages.c.id).label("has_mentions"),
    exists().where(_replies.c.thread_id == _messages.c.id).label("has_replies"),
).where(_messages.c.id == bindparam("message_id"))


class Parts(NamedTuple):
    """What a message has besides its row, as far as the caller knows: each False saves a query."""

    reactions: bool = True
    files: bool = True
    replies: bool = True
    mentions: bool = True


EVERY_PART = Parts()


def parts_of(row: Row[Any]) -> Parts:
    """What a row read by `visible_message` has; it stays true while its transaction holds the write order."""
    return Parts(reactions=row.has_reactions, files=row.has_files, replies=row.has_replies, mentions=row.has_mentions)


async def visible_message(session: AsyncSession, message_id: int, user_id: int) -> Row[Any]:
    """The message's row when the user may read it: a party to the DM, or a current member of the room.
    The row also says whether the message has reactions, files, replies and mentions (see `parts_of`).

    Anyone else gets the same 404 as for a message that does not exist: message ids are not a way to
    learn what goes on in other people's conversations.
    """
    row = (await session.execute(VISIBLE_MESSAGE, {"message_id": message_id, "user_id": user_id})).first()
    if row is not None:
        if row.room_id is None and user_id in (row.author_id, row.recipient_id):
            return row
        if row.room_id is not None and row.in_room:
            return row
    raise NotFound(f"no message with id {message_id}")


async def message_from_row(
    session: AsyncSession,
    profiles: PublicProfiles,
    links: FileLinks,
    row: Row[Any],
    parts: Parts = EVERY_PART,
    *,
    reactions: list[Reaction] | None = None,
) -> Message:
    """A `Message` from its table row, with the `parts` it may have loaded: its reactions (unless given),
    files (freshly signed links), mentions and, for a message that is not itself a reply, its thread summary."""
    author = await profiles.get(session, row.author_id)
    if author is None:  # the foreign key guarantees the author; losing it in between is a bug
        raise NotFound(f"no user with id {row.author_id}")
    if reactions is None:
        reactions = (await reactions_by_message(session, [row.id])).get(row.id, []) if parts.reactions else []
    threads = await summaries_by_root(session, [row.id]) if parts.replies and row.thread_id is None else {}
    files = await files_by_message(session, [row.id], links) if parts.files else {}
    mentions = await mentions_by_message(session, [row.id]) if parts.mentions else {}
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
        reactions=reactions,
        thread_id=row.thread_id,
        thread=threads.get(row.id),
        files=files.get(row.id, []),
        mentions=mentions.get(row.id, []),
    )
