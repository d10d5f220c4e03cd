"""The reactions of a page of messages, summed up per emoji, in one query."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.reactions.models import ReactionModel
from confab.domain.reactions.schemas import Reaction

_reactions = ReactionModel.__table__.c


async def reactions_by_message(session: AsyncSession, message_ids: Iterable[int]) -> dict[int, list[Reaction]]:
    """For each message that has any: its emoji in the order each was first used (among the reactions still
    there), with who used it, earliest first."""
    ids = list(message_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(_reactions.message_id, _reactions.emoji, _reactions.user_id)
        .where(_reactions.message_id.in_(ids))
        .order_by(_reactions.id)
    )
    grouped: dict[int, dict[str, list[int]]] = {}
    for message_id, emoji, user_id in rows.tuples():
        grouped.setdefault(message_id, {}).setdefault(emoji, []).append(user_id)
    return {
        message_id: [Reaction(emoji=emoji, count=len(users), user_ids=users) for emoji, users in by_emoji.items()]
        for message_id, by_emoji in grouped.items()
    }
