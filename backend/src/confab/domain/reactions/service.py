"""Reaction rules: who may react to what, one reaction per person and emoji, and when it is pushed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import Insert, Row, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite

from confab.db.types import utc_now
from confab.domain.messages.access import message_from_row, parts_of, visible_message
from confab.domain.messages.ordering import stamp_change, take_write_order
from confab.domain.messages.schemas import Message
from confab.domain.reactions.models import ReactionModel
from confab.domain.reactions.schemas import MAX_DISTINCT_EMOJI, require_one_emoji
from confab.domain.reactions.summaries import reactions_of, summarize
from confab.errors import BadRequest, Conflict

if TYPE_CHECKING:
    from confab.realtime.hub import RealtimeHub


_reactions = ReactionModel.__table__


def _add_reaction(insert: Any) -> Insert:
    # The write order already serializes identical requests; the unique constraint keeps it one row regardless.
    return (
        insert(_reactions)
        .values(
            message_id=bindparam("message_id"),
            user_id=bindparam("user_id"),
            emoji=bindparam("emoji"),
            created_at=bindparam("created_at"),
        )
        .on_conflict_do_nothing(index_elements=["message_id", "user_id", "emoji"])
        .returning(_reactions.c.id)
    )


# Built once per dialect: building a statement per call cost about as much as running it.
ADD_REACTION = {"postgresql": _add_reaction(postgresql.insert), "sqlite": _add_reaction(sqlite.insert)}
REMOVE_REACTION = delete(_reactions).where(
    _reactions.c.message_id == bindparam("message_id"),
    _reactions.c.user_id == bindparam("user_id"),
    _reactions.c.emoji == bindparam("emoji"),
)


class ReactionService(SQLAlchemyAsyncRepositoryService[ReactionModel]):
    """Adding or removing a reaction is idempotent: when nothing changes, no `seq` is taken and nothing is pushed."""

    class Repo(SQLAlchemyAsyncRepository[ReactionModel]):
        model_type = ReactionModel

    repository_type = Repo

    def __init__(self, hub: RealtimeHub, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub

    async def add(self, user_id: int, message_id: int, emoji: str) -> Message:
        """React with `emoji` to a message the user can see; the same reaction again changes nothing."""
        require_one_emoji(emoji)
        session = self.repository.session
        row = await self._reactable(message_id, user_id)
        # Read under the write order, so it stays exact until the commit: the answer is made from it.
        reactions = await reactions_of(session, message_id) if row.has_reactions else []
        if (emoji, user_id) in reactions:
            return await self._finish(row, reactions, changed=False)
        used = {used_emoji for used_emoji, _user in reactions}
        if emoji not in used and len(used) >= MAX_DISTINCT_EMOJI:
            raise BadRequest(f"emoji: a message has at most {MAX_DISTINCT_EMOJI} different emoji")
        added = await session.scalar(
            ADD_REACTION[session.get_bind().dialect.name],
            {"message_id": message_id, "user_id": user_id, "emoji": emoji, "created_at": utc_now()},
        )
        if added is not None:
            reactions.append((emoji, user_id))
        return await self._finish(row, reactions, changed=added is not None)

    async def remove(self, user_id: int, message_id: int, emoji: str) -> Message:
        """Take the user's `emoji` off a message; removing one that is not there changes nothing."""
        require_one_emoji(emoji)
        session = self.repository.session
        row = await self._reactable(message_id, user_id)
        reactions = await reactions_of(session, message_id) if row.has_reactions else []
        if (emoji, user_id) not in reactions:
            return await self._finish(row, reactions, changed=False)
        await session.execute(REMOVE_REACTION, {"message_id": message_id, "user_id": user_id, "emoji": emoji})
        reactions.remove((emoji, user_id))
        return await self._finish(row, reactions, changed=True)

    async def _reactable(self, message_id: int, user_id: int) -> Row[Any]:
        """Take the write order, then the message if the user can see it (404) and it is not deleted (409)."""
        session = self.repository.session
        await take_write_order(session)
        row = await visible_message(session, message_id, user_id)
        if row.deleted:
            raise Conflict("this message was deleted; it cannot be reacted to")
        return row

    async def _finish(self, row: Row[Any], reactions: list[tuple[str, int]], *, changed: bool) -> Message:
        """Commit; a change takes the next `seq` and is pushed to the message's audience after the commit."""
        session = self.repository.session
        parts = parts_of(row)
        if changed:
            row = await stamp_change(session, row.id)
        message = await message_from_row(
            session, self.hub.profiles, self.hub.file_links, row, parts, reactions=summarize(reactions)
        )
        await session.commit()
        if changed:
            await self.hub.message_updated(message)
        return message
