"""Search over HTTP: `GET /api/search` (REST only; nothing is pushed)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.openapi.spec import Example
from litestar.params import Parameter
from litestar.security.jwt import Token

from confab.domain.accounts.schemas import User
from confab.domain.search import examples
from confab.domain.search.query import MAX_QUERY_LENGTH, QueryError
from confab.domain.search.schemas import SearchPage
from confab.domain.search.service import SearchService
from confab.errors import BadRequest
from confab.openapi import answer, error_responses
from confab.schemas import ID_BOUNDS, MAX_ID

QUERY_LANGUAGE = (
    "Words must all match, in any order, ignoring case and accents, each by prefix (`deploy` finds "
    '`deployment`); `"exact phrase"`; `-word` excludes; `from:nickname`; `with:nickname` (your DMs with '
    "them); `in:room-name` or `in:#<room id>`; `before:YYYY-MM-DD` and `after:YYYY-MM-DD` (UTC days, "
    "both exclusive); `has:link`. Several `from:`, `with:` or `in:` widen to any of them."
)


class SearchController(Controller):
    path = "/api"
    tags = ["search"]

    @get(
        "/search",
        summary="Search messages",
        description="Messages the caller may read now (their DMs, the rooms they are a member of), newest "
        "first, with the matched words as `highlights`. " + QUERY_LANGUAGE + " An unknown operator or a bad "
        "date is a 400 that names it; an empty query is a 400. Names that match nobody, and rooms the "
        "caller is not in, give an empty page, as a room that does not exist does.",
        responses={
            **answer(200, SearchPage, "A page of results, newest first.", examples.RESULTS),
            **error_responses(
                400, 401, details={400: "unknown operator form: (known: from:, with:, in:, before:, after:, has:)"}
            ),
        },
    )
    async def search(
        self,
        request: Request[User, Token, Any],
        search: SearchService,
        q: Annotated[
            str,
            Parameter(
                max_length=MAX_QUERY_LENGTH,
                description="The query. " + QUERY_LANGUAGE,
                examples=[
                    Example(summary="Words, by prefix, anywhere you can read", value="deploy notes"),
                    Example(
                        summary="A phrase from bob, with a link, since November",
                        value='"release notes" from:bob has:link after:2026-10-31',
                    ),
                    Example(summary="In one room, without a word", value="in:general lunch -pizza"),
                ],
            ),
        ],
        limit: Annotated[int, Parameter(ge=1, le=100, description="Page size, 1 to 100.")] = 20,
        before: Annotated[
            int | None,
            Parameter(ge=1, le=MAX_ID, description="The `next` of the previous page.", schema_extra=ID_BOUNDS),
        ] = None,
    ) -> SearchPage:
        try:
            return await search.search(request.user.id, q, limit=limit, before=before)
        except QueryError as error:
            raise BadRequest(str(error)) from error
