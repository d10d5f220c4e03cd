"""Room request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import msgspec

from confab.domain.accounts.schemas import PublicUser, to_public_user
from confab.domain.files.schemas import FileIds
from confab.domain.messages.schemas import ClientId, Content, Message, ThreadId
from confab.domain.notifications.schemas import NotificationLevel
from confab.schemas import END, ID_BOUNDS, NOT_BLANK, Cursor, Id, Schema

if TYPE_CHECKING:
    from confab.domain.files.links import FileLinks
    from confab.domain.rooms.models import RoomModel

RoomName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=80,
        pattern=NOT_BLANK + r"[^\x00-\x1f\x7f]+" + END,
        description="1 to 80 characters, not blank, no control characters.",
        examples=["general"],
    ),
]


class RoomCreate(Schema):
    """A new room; the creator becomes its owner and first member."""

    name: RoomName
    # Litestar drops the item constraints of a nested `Id`; `extra` restates them for openapi.json.
    member_ids: Annotated[
        list[Id], msgspec.Meta(max_length=500, extra_json_schema={"extra": {"items": {"type": "integer", **ID_BOUNDS}}})
    ] = msgspec.field(default_factory=list)


class Room(Schema):
    """A room and its members, longest-standing first. `owner` is null once everybody has left."""

    id: Id
    name: str
    owner: PublicUser | None
    members: list[PublicUser]
    created_at: datetime


class RoomSummary(Room):
    """A room as listed for one member: its latest message, how many the member has not read, how many of
    those mention them, and the member's notification level for it."""

    last_message: Message | None = None
    unread: int = 0
    mentions_unread: int = 0
    notification_level: NotificationLevel = "all"


class MemberAdd(Schema):
    user_id: Id


class RoomMessageCreate(Schema):
    """A message to post in a room: text, files, or both."""

    content: Content | None = None
    file_ids: FileIds | None = None
    client_id: ClientId | None = None
    thread_id: ThreadId | None = None


class ReadMarker(Schema):
    """The id of the last message read; a marker never moves backwards."""

    last_read_id: Cursor


def to_room(row: RoomModel, links: FileLinks) -> Room:
    return Room(
        id=row.id,
        name=row.name,
        owner=to_public_user(row.owner, links) if row.owner is not None else None,
        members=[to_public_user(membership.user, links) for membership in row.memberships],
        created_at=row.created_at,
    )
