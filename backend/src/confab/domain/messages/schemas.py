"""Message request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import msgspec

from confab.domain.accounts.schemas import PublicUser, to_public_user
from confab.schemas import Id, Schema

if TYPE_CHECKING:
    from confab.domain.messages.models import MessageModel

Content = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=4000,
        pattern=r"^(?=[\s\S]*\S)[^\x00]+$",
        description="1 to 4000 characters, not blank; stored and returned exactly as sent.",
        examples=["trois petits chats"],
    ),
]


class MessageCreate(Schema):
    """A direct message to send. `author_id`, if present, must be the caller's own id."""

    recipient_id: Id
    content: Content
    author_id: Id | None = None


class Message(Schema):
    """A stored message: a DM has a `recipient`, a room message a `room_id`."""

    id: Id
    content: str
    date: datetime
    author: PublicUser
    recipient: PublicUser | None = None
    room_id: int | None = None


def to_message(row: MessageModel) -> Message:
    return Message(
        id=row.id,
        content=row.content,
        date=row.date,
        author=to_public_user(row.author),
        recipient=to_public_user(row.recipient) if row.recipient is not None else None,
    )
