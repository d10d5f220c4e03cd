"""Search answers: each result is the message as history shows it, plus where the query matched it."""

from __future__ import annotations

from typing import Annotated

import msgspec

from confab.domain.messages.schemas import Message
from confab.schemas import Schema

Span = Annotated[
    list[int],
    msgspec.Meta(
        min_length=2,
        max_length=2,
        description="[start, end): offsets into `message.content` counted in Unicode code points, end excluded.",
    ),
]


class SearchResult(Schema):
    """A message the caller may read, and the spans of its content that the query's words matched."""

    message: Message
    highlights: list[Span]


class SearchPage(Schema):
    """A page of results, newest first; pass `next` as `before` for the following page (null: no more)."""

    results: list[SearchResult]
    next: int | None
