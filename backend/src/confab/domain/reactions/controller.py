"""Reactions over HTTP: put an emoji on a message, or take it off."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, put
from litestar.params import Parameter
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK

from confab.dependencies import MessagePathId
from confab.domain.accounts.schemas import User
from confab.domain.messages import examples
from confab.domain.messages.schemas import Message
from confab.domain.reactions.schemas import MAX_DISTINCT_EMOJI
from confab.domain.reactions.service import ReactionService
from confab.openapi import answer, error_responses
from confab.ratelimits import caller_id, rate_limited

EmojiPath = Annotated[
    str,
    Parameter(
        description="One emoji (a single grapheme cluster: skin tones, flags and ZWJ sequences included), URL-encoded.",
        min_length=1,
        max_length=64,
    ),
]
RULES = (
    "Anyone who can read the message may react (others: 404); a deleted message cannot be reacted to (409). "
    f"`emoji` that is not exactly one emoji is a 400, and so is a {MAX_DISTINCT_EMOJI + 1}st distinct emoji on "
    "one message. A change gives the message a new `seq` and is pushed as `message_updated` to everyone who "
    "receives it; when nothing changes, nothing is stored or pushed. Counts against the send budget."
)
BAD_EMOJI = "emoji: must be exactly one emoji, not 'ok'"


# Adding and removing answer alike: the message as it is now, or why it was refused.
RESPONSES = {
    **answer(200, Message, "The message with its reactions now.", examples.REACTED_ANSWER),
    **error_responses(
        400, 401, 404, 409, 429, details={400: BAD_EMOJI, 409: "this message was deleted; it cannot be reacted to"}
    ),
}


class ReactionController(Controller):
    path = "/api/messages/{message_id:int}/reactions/{emoji:str}"
    tags = ["messages"]
    guards = [rate_limited("send", caller_id)]

    @put(
        "/",
        summary="React to a message",
        description="Adds the caller's `emoji` to the message; doing it again changes nothing. " + RULES,
        responses=RESPONSES,
    )
    async def add_reaction(
        self,
        message_id: MessagePathId,
        emoji: EmojiPath,
        request: Request[User, Token, Any],
        reactions: ReactionService,
    ) -> Message:
        return await reactions.add(request.user.id, message_id, emoji)

    @delete(
        "/",
        status_code=HTTP_200_OK,
        summary="Take a reaction back",
        description="Removes the caller's `emoji` from the message; removing one that is not there changes "
        "nothing. " + RULES,
        responses=RESPONSES,
    )
    async def remove_reaction(
        self,
        message_id: MessagePathId,
        emoji: EmojiPath,
        request: Request[User, Token, Any],
        reactions: ReactionService,
    ) -> Message:
        return await reactions.remove(request.user.id, message_id, emoji)
