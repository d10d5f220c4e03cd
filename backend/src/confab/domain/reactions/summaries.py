"""The reactions of a page of messages, summed up per emoji, in one query."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.reactions.models import ReactionModel
from confab.domain.reactions.schemas import Reaction

_reactions = ReactionModel.__table__.c
# Built once: building a statement and its cache key per call cost more than running it (bench/RESULTS.md).
REACTIONS_OF_MESSAGES = (
    select(_reactions.message_id, _reactions.emoji, _reactions.user_id)
    .where(_reactions.message_id.in_(bindparam("message_ids", expanding=True)))
    .order_by(_reactions.id)
)
REACTIONS_OF_MESSAGE = (
    select(_reactions.emoji, _reactions.user_id)
    .where(_reactions.message_id == bindparam("message_id"))
    .order_by(_reactions.id)
)


async def reactions_by_message(session: AsyncSession, message_ids: Iterable[int]) -> dict[int, list[Reaction]]:
    """For each message that has any: its emoji in the order each was first used (among the reactions still
    there), with who used it, earliest first."""
    ids = list(message_ids)
    if not ids:
        return {}
    rows = await session.execute(REACTIONS_OF_MESSAGES, {"message_ids": ids})
    grouped: dict[int, list[tuple[str, int]]] = {}
    for message_id, emoji, user_id in rows.tuples():
        grouped.setdefault(message_id, []).append((emoji, user_id))
    return {message_id: summarize(reactions) for message_id, reactions in grouped.items()}


async def reactions_of(session: AsyncSession, message_id: int) -> list[tuple[str, int]]:
    """One message's reactions as (emoji, user id), oldest first."""
    rows = await session.execute(REACTIONS_OF_MESSAGE, {"message_id": message_id})
    return [(emoji, user_id) for emoji, user_id in rows.tuples()]


def summarize(reactions: Iterable[tuple[str, int]]) -> list[Reaction]:
    """(emoji, user id) pairs, oldest first, as `Message.reactions`: per emoji in the order of first use."""
    by_emoji: dict[str, list[int]] = {}
    for emoji, user_id in reactions:
        by_emoji.setdefault(emoji, []).append(user_id)
    return [Reaction(emoji=emoji, count=len(users), user_ids=users) for emoji, users in by_emoji.items()]
