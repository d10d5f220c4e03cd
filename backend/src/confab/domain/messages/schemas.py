"""Message request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import msgspec

from confab.domain.accounts.schemas import PublicUser, to_public_user
from confab.domain.files.schemas import File, FileIds
from confab.domain.reactions.schemas import Reaction
from confab.schemas import END, ID_BOUNDS, MAX_ID, NOT_BLANK, Id, Schema

if TYPE_CHECKING:
    from confab.domain.files.links import FileLinks
    from confab.domain.messages.models import MessageModel

Content = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=4000,
        pattern=NOT_BLANK + r"[^\x00]+" + END,
        description="1 to 4000 characters, not blank; stored and returned exactly as sent.",
        examples=["trois petits chats"],
    ),
]

ClientId = Annotated[
    str,
    msgspec.Meta(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+" + END,
        description="Chosen by the client (a UUID, say) so a retried send returns the original message "
        "instead of storing a second one.",
        examples=["5f0c7b1e-8d2a-4c55-9a57-0c3f4d1e2b6a"],
    ),
]


ThreadId = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=MAX_ID,
        description="Reply in the thread of this message (of the same conversation); a reply to a reply joins "
        "the same thread, the root's.",
        extra_json_schema={"extra": ID_BOUNDS},
    ),
]


REPLY_RULES = (
    "With `thread_id` the message is a reply in that message's thread (a reply to a reply joins the root's): "
    "it is pushed as `message` like any other, and the root's new `thread` summary as `message_updated`. "
    "A `thread_id` the caller cannot read or that does not exist is a 404; one from another conversation, "
    "or whose thread's first message was deleted, is a 400; nothing is stored."
)


class MessageCreate(Schema):
    """A direct message to send: text, files, or both. `author_id`, if present, must be the caller's own id."""

    recipient_id: Id
    content: Content | None = None
    file_ids: FileIds | None = None
    client_id: ClientId | None = None
    author_id: Id | None = None
    thread_id: ThreadId | None = None


class MessageEdit(Schema):
    """New text for a message; the same rules as when it was sent."""

    content: Content


class ThreadSummary(Schema):
    """The replies under a root: how many (tombstones included, as the thread lists them), the latest one's
    time, and who replied, in the order of their first reply."""

    reply_count: Annotated[int, msgspec.Meta(ge=1)]
    last_reply_at: datetime
    participant_ids: list[Id]


class Message(Schema):
    """A stored message: a DM has a `recipient`, a room message a `room_id`.

    `seq` is the message's place in the server-wide change order: it is assigned at creation and again
    at every edit, delete or reaction change, so of two copies of a message the higher `seq` is newer.
    A deleted message is a tombstone: `deleted` true, `content` empty, no reactions, no files.
    `content` is also empty for a message that only carries files.
    A reply has the `thread_id` of its root and is listed in the thread, not in the conversation's history;
    a root has a `thread` summary (null while it has no replies).
    `mentions` are the ids of the people the text mentions (`@nickname`, `@room`) among those who could read
    it when it was sent or last edited, ascending; the author is never among them.
    """

    id: Id
    content: str
    date: datetime
    author: PublicUser
    seq: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            le=MAX_ID,
            description="The change order, server-wide: of two copies of a message, the higher `seq` is newer.",
            extra_json_schema={"extra": ID_BOUNDS},
        ),
    ]
    recipient: PublicUser | None = None
    room_id: int | None = None
    client_id: str | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    reactions: list[Reaction] = msgspec.field(default_factory=list)
    thread_id: int | None = None
    thread: ThreadSummary | None = None
    files: list[File] = msgspec.field(default_factory=list)
    mentions: list[int] = msgspec.field(default_factory=list)


def to_message(
    row: MessageModel,
    reactions: list[Reaction] | None = None,
    thread: ThreadSummary | None = None,
    files: list[File] | None = None,
    mentions: list[int] | None = None,
    *,
    links: FileLinks,
) -> Message:
    return Message(
        id=row.id,
        content=row.content,
        date=row.date,
        author=to_public_user(row.author, links),
        seq=row.seq,
        recipient=to_public_user(row.recipient, links) if row.recipient is not None else None,
        room_id=row.room_id,
        client_id=row.client_id,
        edited_at=row.edited_at,
        deleted=row.deleted,
        reactions=reactions or [],
        thread_id=row.thread_id,
        thread=thread,
        files=files or [],
        mentions=mentions or [],
    )
