"""Message search: what the caller may read, narrowed by the query, newest first, one page at a time.

Only the caller's own DMs and the rooms they are a member of now are searched: the rule is part of the
one statement that finds the matches, so nothing else is ever read. Names in the query (`from:`,
`with:`, `in:`) that match nobody, or a room the caller is not in, narrow the search to nothing: the
answer is an empty page either way, so a search cannot tell "does not exist" from "not yours".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.accounts.models import UserModel
from confab.domain.files.attachments import files_by_message
from confab.domain.mentions.stored import mentions_by_message
from confab.domain.messages.models import MessageModel
from confab.domain.messages.schemas import to_message
from confab.domain.reactions.summaries import reactions_by_message
from confab.domain.rooms.models import RoomMembershipModel, RoomModel
from confab.domain.search import index
from confab.domain.search.query import SearchQuery, highlights, parse
from confab.domain.search.schemas import SearchPage, SearchResult

if TYPE_CHECKING:
    from confab.domain.files.links import FileLinks


class SearchService:
    """Runs a query for one caller; the REST route and `confab search` (through it) use it."""

    def __init__(self, session: AsyncSession, links: FileLinks) -> None:
        self.session = session
        self.links = links

    async def search(self, user_id: int, text: str, *, limit: int, before: int | None) -> SearchPage:
        """One page of results, newest first; `next` is the `before` of the following page, or None."""
        query = parse(text)
        if self.session.get_bind().dialect.name == "postgresql":
            # asyncpg prepares each statement, and after five runs PostgreSQL may switch to a generic plan that
            # cannot see how rare the words are: a backward scan of every message, checking each, for a rare
            # word. Planning each search for its own words costs well under a millisecond.
            await self.session.execute(sql_text("SET LOCAL plan_cache_mode = force_custom_plan"))
        statement = await self.matching_ids(user_id, query, before=before)
        ids = list(await self.session.scalars(statement.limit(limit + 1)))
        more = len(ids) > limit
        ids = ids[:limit]
        rows = await self._messages(ids)
        reactions = await reactions_by_message(self.session, ids)
        files = await files_by_message(self.session, ids, self.links)
        mentions = await mentions_by_message(self.session, ids)
        results = [
            SearchResult(
                message=to_message(
                    row,
                    reactions.get(row.id),
                    files=files.get(row.id),
                    mentions=mentions.get(row.id),
                    links=self.links,
                ),
                highlights=highlights(row.content, query),
            )
            for row in rows
        ]
        return SearchPage(results=results, next=ids[-1] if more else None)

    async def matching_ids(self, user_id: int, query: SearchQuery, *, before: int | None) -> Select[tuple[int]]:
        """The ids of the messages `query` finds for the caller, newest first (the bench times it in SQL too)."""
        dialect = self.session.get_bind().dialect.name
        readable = await self._readable(user_id, query)
        authored = self._authored(query)
        statement = select(MessageModel.id).where(readable, *authored, *self._narrowing(query))
        statement = statement.where(MessageModel.deleted.is_(False))
        if before is not None:
            statement = statement.where(MessageModel.id < before)
        statement = statement.order_by(MessageModel.id.desc())
        if query.terms:
            named = [*authored, readable] if query.conversations_named else authored
            few = dialect == "sqlite" and bool(named) and await self._few_to_check(statement, named)
            statement = index.matching(dialect, statement, query.terms, query.excluded, check_each_row=few)
        elif query.excluded:
            statement = statement.where(index.excluding(dialect, query.excluded, "excluded_terms"))
        return statement

    async def _few_to_check(self, statement: Select[tuple[int]], named: list[ColumnElement[bool]]) -> bool:
        """Whether `statement` finds few enough messages to check each against the index (SQLite).

        The named person's or conversations' messages are counted first through their own indexes, readable
        or not: past `index.NAMED_COUNTED`, counting the readable ones (a row read each) would cost more than
        it saves, and someone who wrote a great deal where the caller cannot read it is searched as anyone.
        """
        if not await self._at_most(select(MessageModel.id).where(*named), index.NAMED_COUNTED):
            return False
        return await self._at_most(statement, index.CHECKED_ONE_BY_ONE)

    async def _at_most(self, statement: Select[tuple[int]], count: int) -> bool:
        """Whether `statement` finds at most `count` messages (it stops counting after one more)."""
        probe = statement.order_by(None).limit(count + 1).subquery()
        return await self.session.scalar(select(func.count()).select_from(probe)) <= count

    async def _messages(self, ids: Sequence[int]) -> list[MessageModel]:
        if not ids:
            return []
        rows = {row.id: row for row in await self.session.scalars(select(MessageModel).where(MessageModel.id.in_(ids)))}
        return [rows[message_id] for message_id in ids if message_id in rows]

    async def _readable(self, user_id: int, query: SearchQuery) -> ColumnElement[bool]:
        """The conversations searched: the caller's DMs and current rooms, or those of them the query names."""
        my_rooms = select(RoomMembershipModel.room_id).where(RoomMembershipModel.user_id == user_id)
        my_direct = and_(
            MessageModel.room_id.is_(None), or_(MessageModel.author_id == user_id, MessageModel.recipient_id == user_id)
        )
        if not query.conversations_named:
            return or_(MessageModel.room_id.in_(my_rooms), my_direct)
        conversations: list[ColumnElement[bool]] = []
        if query.peers:
            peer_ids = await self._user_ids(query.peers)
            conversations.append(
                or_(
                    and_(MessageModel.author_id == user_id, MessageModel.recipient_id.in_(peer_ids)),
                    and_(MessageModel.recipient_id == user_id, MessageModel.author_id.in_(peer_ids)),
                )
            )
        if query.room_names or query.room_ids:
            named = or_(
                RoomModel.id.in_(query.room_ids) if query.room_ids else false(),
                func.lower(RoomModel.name).in_([name.lower() for name in query.room_names])
                if query.room_names
                else false(),
            )
            room_ids = list(
                await self.session.scalars(
                    select(RoomModel.id).where(named, RoomModel.id.in_(my_rooms)).order_by(RoomModel.id)
                )
            )
            conversations.append(MessageModel.room_id.in_(room_ids))
        return or_(*conversations)

    def _authored(self, query: SearchQuery) -> list[ColumnElement[bool]]:
        """`from:`: messages by the people named (none for a nickname nobody has)."""
        if not query.authors:
            return []
        authors = select(UserModel.id).where(func.lower(UserModel.nickname).in_([n.lower() for n in query.authors]))
        return [MessageModel.author_id.in_(authors)]

    def _narrowing(self, query: SearchQuery) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if query.before is not None:
            conditions.append(MessageModel.date < query.before)
        if query.after is not None:
            conditions.append(MessageModel.date >= query.after)
        if query.has_link:
            conditions.append(or_(MessageModel.content.contains("http://"), MessageModel.content.contains("https://")))
        return conditions

    async def _user_ids(self, nicknames: Sequence[str]) -> list[int]:
        lowered = [nickname.lower() for nickname in nicknames]
        rows: Any = await self.session.scalars(select(UserModel.id).where(func.lower(UserModel.nickname).in_(lowered)))
        return list(rows)
