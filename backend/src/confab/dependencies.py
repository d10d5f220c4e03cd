"""What route handlers are given: the domain services, and the parameters several routes share.

Registered once on the app, so every controller asks for `users`, `messages`, `sending`, `mentions`,
`notifications`, `rooms`, `reactions`, `search`, `sessions`, `threads` or `page` by name and none of them
repeats how those are built.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from confab.db.on_demand import SessionOnDemand
from confab.domain.accounts.service import UserService
from confab.domain.files.service import FileService
from confab.domain.mentions.service import MentionService
from confab.domain.messages.service import MessageService, Sending
from confab.domain.notifications.service import NotificationService
from confab.domain.profiles.service import ProfileService
from confab.domain.reactions.service import ReactionService
from confab.domain.rooms.service import RoomService
from confab.domain.search.service import SearchService
from confab.domain.sessions.service import SessionService
from confab.domain.threads.service import ThreadService
from confab.errors import BadRequest
from confab.schemas import CURSOR_BOUNDS, ID_BOUNDS, MAX_ID

UserPathId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="A user id.", schema_extra=ID_BOUNDS)]
RoomPathId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="A room id.", schema_extra=ID_BOUNDS)]
MessagePathId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="A message id.", schema_extra=ID_BOUNDS)]


@dataclass(frozen=True)
class PageQuery:
    """Cursor pagination shared by every history route (see `MessageService._page`)."""

    limit: int
    after: int | None
    before: int | None
    around: int | None = None


def provide_page_query(
    limit: Annotated[int, Parameter(ge=1, le=200, description="Page size, 1 to 200.")] = 50,
    after: Annotated[
        int | None,
        Parameter(
            ge=0, le=MAX_ID, description="Only messages with a larger id (oldest first).", schema_extra=CURSOR_BOUNDS
        ),
    ] = None,
    before: Annotated[
        int | None,
        Parameter(
            ge=0, le=MAX_ID, description="Only messages with a smaller id (newest page).", schema_extra=CURSOR_BOUNDS
        ),
    ] = None,
    around: Annotated[
        int | None,
        Parameter(
            ge=1,
            le=MAX_ID,
            description="A page centred on this message id (jump to message): it, up to `(limit - 1) / 2` "
            "newer, older ones to fill the page. Not with `after` or `before`.",
            schema_extra=ID_BOUNDS,
        ),
    ] = None,
) -> PageQuery:
    if around is not None and (after is not None or before is not None):
        raise BadRequest("around: give either around, or after and before, not both")
    return PageQuery(limit=limit, after=after, before=before, around=around)


def provide_user_service(db_session: AsyncSession, state: State) -> UserService:
    return UserService(session=db_session, passwords=state.passwords, hub=state.hub)


def provide_profile_service(db_session: AsyncSession, state: State) -> ProfileService:
    return ProfileService(session=db_session, passwords=state.passwords, hub=state.hub)


def provide_session_service(db_session: AsyncSession, state: State) -> SessionService:
    return SessionService(session=db_session, hub=state.hub)


def provide_message_service(db_session: AsyncSession, state: State) -> MessageService:
    return MessageService(session=db_session, hub=state.hub)


async def provide_sending(state: State, request: Request[Any, Any, Any]) -> AsyncIterator[Sending]:
    """A send needs no `MessageService` (building one was a twentieth of a REST send), and on PostgreSQL no
    session of the request's: it opens one only to read a profile the worker does not remember (an unused
    AsyncSession, opened and closed, cost about 0.1 ms). On SQLite it reads through the request's session, the
    one the token check began: the worker's one connection is in it."""
    if state.settings.is_sqlite:
        yield Sending(state.hub, SessionOnDemand.wrapping(state.database_config.provide_session(state, request.scope)))
        return
    async with SessionOnDemand(state.hub.session_maker) as reads:
        yield Sending(state.hub, reads)


def provide_mention_service(db_session: AsyncSession) -> MentionService:
    return MentionService(session=db_session)


def provide_notification_service(db_session: AsyncSession, state: State) -> NotificationService:
    return NotificationService(session=db_session, hub=state.hub)


def provide_reaction_service(db_session: AsyncSession, state: State) -> ReactionService:
    return ReactionService(session=db_session, hub=state.hub)


def provide_thread_service(db_session: AsyncSession, state: State) -> ThreadService:
    return ThreadService(session=db_session, hub=state.hub)


def provide_room_service(db_session: AsyncSession, state: State) -> RoomService:
    return RoomService(session=db_session, hub=state.hub)


def provide_search_service(db_session: AsyncSession, state: State) -> SearchService:
    return SearchService(db_session, state.hub.file_links)


def provide_file_service(db_session: AsyncSession, state: State) -> FileService:
    hub = state.hub
    return FileService(session=db_session, settings=state.settings, storage=hub.file_storage, links=hub.file_links)


APP_DEPENDENCIES = {
    "files": Provide(provide_file_service, sync_to_thread=False),
    "users": Provide(provide_user_service, sync_to_thread=False),
    "profiles": Provide(provide_profile_service, sync_to_thread=False),
    "messages": Provide(provide_message_service, sync_to_thread=False),
    "sending": Provide(provide_sending, sync_to_thread=False),
    "mentions": Provide(provide_mention_service, sync_to_thread=False),
    "notifications": Provide(provide_notification_service, sync_to_thread=False),
    "rooms": Provide(provide_room_service, sync_to_thread=False),
    "reactions": Provide(provide_reaction_service, sync_to_thread=False),
    "search": Provide(provide_search_service, sync_to_thread=False),
    "sessions": Provide(provide_session_service, sync_to_thread=False),
    "threads": Provide(provide_thread_service, sync_to_thread=False),
    "page": Provide(provide_page_query, sync_to_thread=False),
}
