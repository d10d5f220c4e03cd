"""What route handlers are given: the domain services, and the parameters several routes share.

Registered once on the app, so every controller asks for `users`, `messages`, `rooms`, `reactions`,
`sessions` or `page` by name and none of them repeats how those are built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.accounts.service import UserService
from confab.domain.files.service import FileService
from confab.domain.messages.service import MessageService
from confab.domain.reactions.service import ReactionService
from confab.domain.rooms.service import RoomService
from confab.domain.sessions.service import SessionService
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
) -> PageQuery:
    return PageQuery(limit=limit, after=after, before=before)


def provide_user_service(db_session: AsyncSession, state: State) -> UserService:
    return UserService(session=db_session, passwords=state.passwords, hub=state.hub)


def provide_session_service(db_session: AsyncSession, state: State) -> SessionService:
    return SessionService(session=db_session, hub=state.hub)


def provide_message_service(db_session: AsyncSession, state: State) -> MessageService:
    return MessageService(session=db_session, hub=state.hub)


def provide_reaction_service(db_session: AsyncSession, state: State) -> ReactionService:
    return ReactionService(session=db_session, hub=state.hub)


def provide_room_service(db_session: AsyncSession, state: State) -> RoomService:
    return RoomService(session=db_session, hub=state.hub)


def provide_file_service(db_session: AsyncSession, state: State) -> FileService:
    hub = state.hub
    return FileService(session=db_session, settings=state.settings, storage=hub.file_storage, links=hub.file_links)


APP_DEPENDENCIES = {
    "files": Provide(provide_file_service, sync_to_thread=False),
    "users": Provide(provide_user_service, sync_to_thread=False),
    "messages": Provide(provide_message_service, sync_to_thread=False),
    "rooms": Provide(provide_room_service, sync_to_thread=False),
    "reactions": Provide(provide_reaction_service, sync_to_thread=False),
    "sessions": Provide(provide_session_service, sync_to_thread=False),
    "page": Provide(provide_page_query, sync_to_thread=False),
}
