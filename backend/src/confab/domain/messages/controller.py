"""Messages over HTTP: send a DM, read a history page, edit or delete a message, catch up on changes."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.params import Body, Parameter
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from confab.dependencies import MessagePathId, PageQuery, UserPathId
from confab.domain.accounts.schemas import User, to_public_user
from confab.domain.messages import examples
from confab.domain.messages.schemas import REPLY_RULES, Message, MessageCreate, MessageEdit
from confab.domain.messages.service import MessageService, Sending
from confab.domain.rooms.schemas import ReadMarker
from confab.errors import Forbidden
from confab.openapi import answer, error_responses
from confab.ratelimits import caller_id, rate_limited
from confab.schemas import CURSOR_BOUNDS, ID_BOUNDS, MAX_ID

PeerFilter = Annotated[
    int | None,
    Parameter(
        query="with", ge=1, le=MAX_ID, description="Only the conversation with this user id.", schema_extra=ID_BOUNDS
    ),
]

SinceQuery = Annotated[
    int,
    Parameter(
        ge=0,
        le=MAX_ID,
        description="Only messages whose `seq` is larger: the highest `seq` the client has applied.",
        schema_extra=CURSOR_BOUNDS,
    ),
]
ChangesLimit = Annotated[int, Parameter(ge=1, le=200, description="Page size, 1 to 200.")]
# Edits, deletes and reactions are writes that everyone in the conversation receives, as sends are.
SEND_BUDGET = rate_limited("send", caller_id)


class MessageController(Controller):
    path = "/api"
    tags = ["messages"]

    @post(
        "/messages",
        summary="Send a direct message",
        description="Stores the message, then pushes it on the Socket.IO channels of the recipient and the "
        "author. The author is always the caller. Repeating a `client_id` returns the original message "
        "with 200 instead of 201 and stores and pushes nothing; a `client_id` already used for "
        "another conversation is a 409. " + REPLY_RULES,
        responses={
            **answer(201, Message, "The stored message.", examples.SENT),
            **answer(200, Message, "The message sent earlier with this `client_id`.", examples.SENT),
            **error_responses(400, 401, 403, 404, 409, 413, 415, 429),
        },
        guards=[SEND_BUDGET],
    )
    async def send_direct(
        self,
        data: Annotated[MessageCreate, Body(examples=[examples.SEND_DIRECT])],
        request: Request[User, Token, Any],
        sending: Sending,
    ) -> Response[Message]:
        sent = await sending.direct(to_public_user(request.user), data)
        return Response(sent.message, status_code=HTTP_201_CREATED if sent.created else HTTP_200_OK)

    @get(
        "/messages",
        summary="My direct messages",
        description="The caller's DMs, ascending by id; the tutorial's route, same as `GET /api/users/{me}/messages`. "
        "Replies are not listed: they are in their root's thread (`GET /api/messages/{id}/thread`).",
        responses={
            **answer(200, list[Message], "A page of messages, oldest first.", examples.HISTORY),
            **error_responses(400, 401),
        },
    )
    async def my_history(
        self,
        request: Request[User, Token, Any],
        messages: MessageService,
        page: PageQuery,
        peer: PeerFilter = None,
    ) -> list[Message]:
        return await messages.direct_history(
            request.user.id, peer_id=peer, after=page.after, before=page.before, limit=page.limit, around=page.around
        )

    @get(
        "/users/{user_id:int}/messages",
        summary="A user's direct messages",
        description="DMs where the user is author or recipient, ascending by id. Only the user themself "
        "may read them. Reconnecting clients catch up with `after=<last id seen>`. Replies are not listed: they "
        "are in their root's thread.",
        responses={
            **answer(200, list[Message], "A page of messages, oldest first.", examples.HISTORY),
            **error_responses(400, 401, 403, 404),
        },
    )
    async def user_history(
        self,
        user_id: UserPathId,
        request: Request[User, Token, Any],
        messages: MessageService,
        page: PageQuery,
        peer: PeerFilter = None,
    ) -> list[Message]:
        if user_id != request.user.id:
            raise Forbidden("you can only read your own messages")
        return await messages.direct_history(
            user_id, peer_id=peer, after=page.after, before=page.before, limit=page.limit, around=page.around
        )

    @put(
        "/users/{peer_id:int}/read",
        status_code=204,
        summary="Mark a conversation read",
        description="Moves the caller's read marker for the DMs `peer_id` sent them forward to `last_read_id` "
        "(never backwards); `GET /api/users` counts what is unread after it.",
        responses=error_responses(400, 401, 404, 413, 415),
    )
    async def mark_direct_read(
        self,
        peer_id: UserPathId,
        data: Annotated[ReadMarker, Body(examples=[examples.READ_UP_TO])],
        request: Request[User, Token, Any],
        messages: MessageService,
    ) -> None:
        await messages.mark_direct_read(request.user.id, peer_id, data.last_read_id)

    @patch(
        "/messages/{message_id:int}",
        summary="Edit a message",
        description="Only the author may edit, a DM or a room message alike; anyone else who can read the "
        "message gets 403, anyone who cannot gets 404. The content follows the rules of a send. The "
        "message gets `edited_at` and a new `seq`, and is pushed as `message_updated` to everyone who "
        "receives it. A deleted message cannot be edited (409). Sending the text it already has changes "
        "nothing. Counts against the send budget.",
        responses={
            **answer(200, Message, "The edited message.", examples.EDITED_ANSWER),
            **error_responses(
                400, 401, 403, 404, 409, 413, 415, 429, details={409: "this message was deleted; it cannot be edited"}
            ),
        },
        guards=[SEND_BUDGET],
    )
    async def edit_message(
        self,
        message_id: MessagePathId,
        data: Annotated[MessageEdit, Body(examples=[examples.EDIT])],
        request: Request[User, Token, Any],
        messages: MessageService,
    ) -> Message:
        return await messages.edit(to_public_user(request.user), message_id, data)

    @delete(
        "/messages/{message_id:int}",
        summary="Delete a message",
        description="The author may delete; in a room, the room's owner may too (anyone else who can read it: "
        "403; who cannot: 404). The message stays in history as a tombstone (`deleted: true`, `content: "
        '""`, no reactions): its text is erased from the database. It is pushed as `message_updated`. '
        "Deleting again answers 204 and changes nothing. Counts against the send budget.",
        responses=error_responses(
            400, 401, 403, 404, 429, details={403: "only the author or the room's owner can delete a message"}
        ),
        guards=[SEND_BUDGET],
    )
    async def delete_message(
        self, message_id: MessagePathId, request: Request[User, Token, Any], messages: MessageService
    ) -> None:
        await messages.delete_message(request.user.id, message_id)

    @get(
        "/changes",
        summary="Catch up on new and changed messages",
        description="Every message the caller may see now (their DMs, their current rooms') whose `seq` is "
        "above `since`, each once in its latest state, ascending by `seq`. Keep the last `seq` and ask "
        "again until a page is shorter than `limit`; a client that replaces its copy of a message whenever "
        "an incoming `seq` is higher ends with exactly the server's state.",
        responses={
            **answer(200, list[Message], "Messages in change order.", examples.CHANGES),
            **error_responses(400, 401),
        },
    )
    async def changes(
        self,
        request: Request[User, Token, Any],
        messages: MessageService,
        since: SinceQuery = 0,
        limit: ChangesLimit = 100,
    ) -> list[Message]:
        changes = await messages.changes_since(request.user.id, since=since, limit=limit)
        return [change.message for change in changes]
