"""Example bodies for the thread routes in openapi.json: bob answers alice's welcome in a thread."""

from datetime import UTC, datetime

from litestar.openapi.spec import Example

from confab.domain.accounts.examples import ALICE, BOB, CHARLIE
from confab.domain.messages.schemas import Message, ThreadSummary
from confab.domain.rooms.examples import ROOM_MESSAGE
from confab.domain.rooms.schemas import ReadMarker, RoomMessageCreate
from confab.domain.threads.schemas import FollowedThread

FIRST_REPLY = Message(
    id=50,
    content="Thanks alice! Is there a channel for the book club?",
    date=datetime(2026, 11, 25, 10, 5, tzinfo=UTC),
    author=BOB,
    seq=50,
    room_id=7,
    thread_id=ROOM_MESSAGE.id,
)
SECOND_REPLY = Message(
    id=52,
    content="Not yet: go ahead and open one.",
    date=datetime(2026, 11, 25, 10, 6, tzinfo=UTC),
    author=CHARLIE,
    seq=52,
    room_id=7,
    thread_id=ROOM_MESSAGE.id,
)
ROOT = Message(
    id=ROOM_MESSAGE.id,
    content=ROOM_MESSAGE.content,
    date=ROOM_MESSAGE.date,
    author=ALICE,
    seq=53,
    room_id=7,
    client_id=ROOM_MESSAGE.client_id,
    thread=ThreadSummary(reply_count=2, last_reply_at=SECOND_REPLY.date, participant_ids=[BOB.id, CHARLIE.id]),
)

REPLY_IN_THREAD = Example(
    summary="Bob answers message 43 in its thread",
    value=RoomMessageCreate(content=FIRST_REPLY.content, thread_id=ROOM_MESSAGE.id),
)
THREAD = Example(summary="The replies under message 43, oldest first", value=[FIRST_REPLY, SECOND_REPLY])
FOLLOWED = Example(
    summary="Alice follows the thread under her welcome; charlie's reply is new to her",
    value=[FollowedThread(root=ROOT, reply_count=2, last_reply_at=SECOND_REPLY.date, unread=1)],
)
READ_THREAD = Example(summary="Alice has read the thread up to reply 50", value=ReadMarker(last_read_id=50))
