"""The stored mentions of messages: written with a message, rewritten by an edit, loaded a page at a time."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.mentions.models import MentionModel

_mentions = MentionModel.__table__


async def record_mentions(session: AsyncSession, message_id: int, user_ids: Iterable[int]) -> list[int]:
    """Store the message's mentions (in the caller's transaction); the ids as `Message.mentions` lists them."""
    ids = sorted(set(user_ids))
    if ids:
        await session.execute(insert(_mentions), [{"message_id": message_id, "user_id": user_id} for user_id in ids])
    return ids


async def replace_mentions(
    session: AsyncSession, message_id: int, user_ids: Iterable[int], *, had_mentions: bool = True
) -> list[int]:
    """The message's mentions become exactly `user_ids` (an edit, or none for a deleted message).

    `had_mentions=False` (the caller read that the message has none, under the write order) skips the
    DELETE: most edits mention nobody before or after.
    """
    if had_mentions:
        await session.execute(delete(_mentions).where(_mentions.c.message_id == message_id))
    return await record_mentions(session, message_id, user_ids)


async def mentions_by_message(session: AsyncSession, message_ids: Iterable[int]) -> dict[int, list[int]]:
    """For each message that mentions anyone: the mentioned user ids, ascending; one query for the whole page."""
    ids = list(message_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(_mentions.c.message_id, _mentions.c.user_id)
        .where(_mentions.c.message_id.in_(ids))
        .order_by(_mentions.c.message_id, _mentions.c.user_id)
    )
    grouped: dict[int, list[int]] = {}
    for message_id, user_id in rows.tuples():
        grouped.setdefault(message_id, []).append(user_id)
    return grouped
