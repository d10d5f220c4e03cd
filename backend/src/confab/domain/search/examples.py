"""Example queries and answers for the search route in openapi.json."""

from datetime import UTC, datetime

from litestar.openapi.spec import Example

from confab.domain.accounts.examples import ALICE, BOB
from confab.domain.messages.schemas import Message
from confab.domain.search.schemas import SearchPage, SearchResult

FOUND = Message(
    id=73,
    content="Deployment notes: https://example.com/notes",
    date=datetime(2026, 11, 26, 9, 30, 0, tzinfo=UTC),
    author=BOB,
    seq=80,
    recipient=ALICE,
)
RESULTS = Example(
    summary="`deploy from:bob has:link`: one match, `Deployment` highlighted, no more pages",
    value=SearchPage(results=[SearchResult(message=FOUND, highlights=[[0, 10]])], next=None),
)
