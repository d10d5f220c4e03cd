"""Example bodies for the mention routes in openapi.json."""

from datetime import UTC, datetime

from litestar.openapi.spec import Example

from confab.domain.accounts.examples import ALICE, BOB
from confab.domain.messages.schemas import Message

MENTIONING_BOB = Message(
    id=48,
    content="@bob can you review the deploy notes?",
    date=datetime(2026, 11, 25, 10, 6, tzinfo=UTC),
    author=ALICE,
    seq=48,
    room_id=7,
    mentions=[BOB.id],
)
MENTIONS = Example(summary="Bob's mentions, newest first", value=[MENTIONING_BOB])
