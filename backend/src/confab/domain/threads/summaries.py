"""The thread summaries of a page of root messages, in one query."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.messages.models import MessageModel
from confab.domain.messages.schemas import ThreadSummary

_messages = MessageModel.__table__.c
# Built once: building a statement and its cache key per call cost more than running it (bench/RESULTS.md).
REPLIES_BY_ROOT_AND_AUTHOR = (
    select(
        _messages.thread_id,
        _messages.author_id,
        func.count(),
        func.max(_messages.created_at),
        func.min(_messages.id),
    )
    .where(_messages.thread_id.in_(bindparam("root_ids", expanding=True)))
    .group_by(_messages.thread_id, _messages.author_id)
)


async def summaries_by_root(session: AsyncSession, message_ids: Iterable[int]) -> dict[int, ThreadSummary]:
    """For each of the messages that has replies: its `ThreadSummary`.

    One grouped query per page, per (root, replier): the counts add up to the reply count, and the first
    reply id of each replier orders the participants.
    """
    ids = list(message_ids)
    if not ids:
        return {}
    rows = await session.execute(REPLIES_BY_ROOT_AND_AUTHOR, {"root_ids": ids})
    grouped: dict[int, list[tuple[int, int, datetime, int]]] = {}
    for root_id, author_id, count, last_at, first_id in rows.tuples():
        grouped.setdefault(root_id, []).append((author_id, count, last_at, first_id))
    return {
        root_id: ThreadSummary(
            reply_count=sum(count for _author, count, _last, _first in repliers),
            last_reply_at=max(last_at for _author, _count, last_at, _first in repliers),
            participant_ids=[author for author, *_rest in sorted(repliers, key=lambda replier: replier[3])],
        )
        for root_id, repliers in grouped.items()
    }
