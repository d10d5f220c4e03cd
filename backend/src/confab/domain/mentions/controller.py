"""Mentions over HTTP: `GET /api/mentions`, the messages that mention the caller."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.security.jwt import Token

from confab.domain.accounts.schemas import User
from confab.domain.mentions import examples
from confab.domain.mentions.service import MentionService
from confab.domain.messages.schemas import Message
from confab.domain.messages.service import MessageService
from confab.openapi import answer, error_responses
from confab.schemas import ID_BOUNDS, MAX_ID


class MentionController(Controller):
    path = "/api"
    tags = ["mentions"]

    @get(
        "/mentions",
        summary="Messages that mention me",
        description="Messages whose `mentions` include the caller (`@nickname` or `@room`), newest first, among "
        "those the caller may read now: their DMs and the rooms they are a member of (thread replies "
        "included; a room the caller left is left out). Ask again with `before` = the last id of a page for "
        "the next one; a page shorter than `limit` is the last.",
        responses={
            **answer(200, list[Message], "A page of messages, newest first.", examples.MENTIONS),
            **error_responses(400, 401),
        },
    )
    async def list_mentions(
        self,
        request: Request[User, Token, Any],
        mentions: MentionService,
        messages: MessageService,
        limit: Annotated[int, Parameter(ge=1, le=200, description="Page size, 1 to 200.")] = 50,
        before: Annotated[
            int | None,
            Parameter(ge=1, le=MAX_ID, description="Only messages with a smaller id.", schema_extra=ID_BOUNDS),
        ] = None,
    ) -> list[Message]:
        rows = await mentions.mentioning(request.user.id, before=before, limit=limit)
        return await messages.whole_messages(rows)
