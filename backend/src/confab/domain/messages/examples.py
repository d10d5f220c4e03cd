"""Example bodies for the message routes in openapi.json: the tutorial's first messages."""

from datetime import UTC, datetime

from litestar.openapi.spec import Example

from confab.domain.accounts.examples import ALICE, BOB
from confab.domain.messages.schemas import Message, MessageCreate
from confab.domain.rooms.schemas import ReadMarker

CLIENT_ID = "5f0c7b1e-8d2a-4c55-9a57-0c3f4d1e2b6a"

DIRECT_MESSAGE = Message(
    id=41,
    content="trois petits chats",
    date=datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC),
    author=ALICE,
    recipient=BOB,
    client_id=CLIENT_ID,
)
REPLY = Message(
    id=42, content="chapeau de paille", date=datetime(2026, 11, 25, 10, 0, 5, tzinfo=UTC), author=BOB, recipient=ALICE
)

SEND_DIRECT = Example(
    summary="Alice writes to bob (id 2)",
    value=MessageCreate(recipient_id=2, content="trois petits chats", client_id=CLIENT_ID),
)
SENT = Example(summary="The stored message, as pushed to both parties", value=DIRECT_MESSAGE)
HISTORY = Example(summary="A conversation, oldest first", value=[DIRECT_MESSAGE, REPLY])
READ_UP_TO = Example(summary="Everything up to message 42 is read", value=ReadMarker(last_read_id=42))
