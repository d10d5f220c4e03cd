"""Thread bodies: a followed thread as listed. (A root's `ThreadSummary` is part of `Message`.)"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from confab.domain.messages.schemas import Message
from confab.schemas import Schema


class FollowedThread(Schema):
    """A thread the caller follows: its root (possibly a tombstone), how many replies, the latest one's time,
    and how many replies from others came after the caller's read marker for it."""

    root: Message
    reply_count: Annotated[int, msgspec.Meta(ge=0)]
    last_reply_at: datetime | None
    unread: Annotated[int, msgspec.Meta(ge=0)]
