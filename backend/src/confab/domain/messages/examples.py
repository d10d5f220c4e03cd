"""Example bodies for the message routes in openapi.json: the tutorial's first messages."""

from datetime import UTC, datetime

from litestar.openapi.spec import Example

from confab.domain.accounts.examples import ALICE, BOB
from confab.domain.messages.schemas import Message, MessageCreate, MessageEdit
from confab.domain.reactions.schemas import Reaction
from confab.domain.rooms.schemas import ReadMarker

CLIENT_ID = "5f0c7b1e-8d2a-4c55-9a57-0c3f4d1e2b6a"

DIRECT_MESSAGE = Message(
    id=41,
    content="trois petits chats",
    date=datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC),
    author=ALICE,
    seq=41,
    recipient=BOB,
    client_id=CLIENT_ID,
)
REPLY = Message(
    id=42,
    content="chapeau de paille",
    date=datetime(2026, 11, 25, 10, 0, 5, tzinfo=UTC),
    author=BOB,
    seq=42,
    recipient=ALICE,
)
EDITED = Message(
    id=41,
    content="trois petits chats, chats, chats",
    date=DIRECT_MESSAGE.date,
    author=ALICE,
    seq=45,
    recipient=BOB,
    client_id=CLIENT_ID,
    edited_at=datetime(2026, 11, 25, 10, 2, 0, tzinfo=UTC),
)
REACTED = Message(
    id=42,
    content="chapeau de paille",
    date=REPLY.date,
    author=BOB,
    seq=46,
    recipient=ALICE,
    reactions=[Reaction(emoji="👍", count=2, user_ids=[1, 2]), Reaction(emoji="🎉", count=1, user_ids=[1])],
)
DELETED = Message(
    id=41,
    content="",
    date=DIRECT_MESSAGE.date,
    author=ALICE,
    seq=47,
    recipient=BOB,
    client_id=CLIENT_ID,
    edited_at=EDITED.edited_at,
    deleted=True,
)

SEND_DIRECT = Example(
    summary="Alice writes to bob (id 2)",
    value=MessageCreate(recipient_id=2, content="trois petits chats", client_id=CLIENT_ID),
)
SENT = Example(summary="The stored message, as pushed to both parties", value=DIRECT_MESSAGE)
HISTORY = Example(summary="A conversation, oldest first", value=[DIRECT_MESSAGE, REPLY])
EDIT = Example(summary="Alice completes her message", value=MessageEdit(content="trois petits chats, chats, chats"))
EDITED_ANSWER = Example(summary="The message with its new text, as pushed in `message_updated`", value=EDITED)
REACTED_ANSWER = Example(summary="The message with its reactions, as pushed in `message_updated`", value=REACTED)
CHANGES = Example(
    summary="After seq 44: message 41 was edited (45), 42 got reactions (46), then 41 was deleted (47); "
    "each message once, in its latest state, in seq order",
    value=[REACTED, DELETED],
)
READ_UP_TO = Example(summary="Everything up to message 42 is read", value=ReadMarker(last_read_id=42))
