"""Threads over HTTP: read a thread, follow it or stop, mark it read, list the threads one follows."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, put
from litestar.params import Body, Parameter
from litestar.security.jwt import Token

from confab.dependencies import MessagePathId, PageQuery
from confab.domain.accounts.schemas import User
from confab.domain.messages.schemas import Message
from confab.domain.messages.service import MessageService
from confab.domain.rooms.schemas import ReadMarker
from confab.domain.threads import examples
from confab.domain.threads.schemas import FollowedThread
from confab.domain.threads.service import ThreadService
from confab.openapi import answer, error_responses

NOT_FOUND = {404: "no message with id 43"}
THREAD_NAMED = "`message_id` is the thread's first message (its root) or any reply in it."


class ThreadController(Controller):
    path = "/api"
    tags = ["threads"]

    @get(
        "/messages/{message_id:int}/thread",
        summary="A thread's replies",
        description="The replies under a root message, ascending by id, with the cursors and limits of every "
        "history. Whoever can read the root can read its thread (others: 404), also after the root was "
        "deleted. " + THREAD_NAMED + " `around=<reply id>` centres the page on that reply. Replies are sent "
        "with `thread_id`, and are not listed in the conversation's own history.",
        responses={
            **answer(200, list[Message], "A page of replies, oldest first.", examples.THREAD),
            **error_responses(400, 401, 404, details=NOT_FOUND),
        },
    )
    async def thread_history(
        self, message_id: MessagePathId, request: Request[User, Token, Any], messages: MessageService, page: PageQuery
    ) -> list[Message]:
        return await messages.thread_history(
            request.user.id, message_id, after=page.after, before=page.before, limit=page.limit, around=page.around
        )

    @put(
        "/messages/{message_id:int}/follow",
        status_code=204,
        summary="Follow a thread",
        description="The thread is listed in `GET /api/threads`. The root's author and everyone who replies "
        "follow automatically; a reply follows again after an unfollow. " + THREAD_NAMED,
        responses=error_responses(400, 401, 404, details=NOT_FOUND),
    )
    async def follow(
        self, message_id: MessagePathId, request: Request[User, Token, Any], threads: ThreadService
    ) -> None:
        await threads.set_following(request.user.id, message_id, following=True)

    @delete(
        "/messages/{message_id:int}/follow",
        summary="Stop following a thread",
        description="The thread leaves `GET /api/threads` until the caller follows it or replies in it again; "
        "the root's author is not followed back in by later replies. " + THREAD_NAMED,
        responses=error_responses(400, 401, 404, details=NOT_FOUND),
    )
    async def unfollow(
        self, message_id: MessagePathId, request: Request[User, Token, Any], threads: ThreadService
    ) -> None:
        await threads.set_following(request.user.id, message_id, following=False)

    @put(
        "/messages/{message_id:int}/thread/read",
        status_code=204,
        summary="Mark a thread read",
        description="Moves the caller's read marker in the thread forward to `last_read_id` (never backwards, "
        "never past the latest reply); `unread` in `GET /api/threads` counts the replies from others after "
        "it. " + THREAD_NAMED,
        responses=error_responses(400, 401, 404, 413, 415, details=NOT_FOUND),
    )
    async def mark_read(
        self,
        message_id: MessagePathId,
        data: Annotated[ReadMarker, Body(examples=[examples.READ_THREAD])],
        request: Request[User, Token, Any],
        threads: ThreadService,
    ) -> None:
        await threads.mark_read(request.user.id, message_id, data.last_read_id)

    @get(
        "/threads",
        summary="The threads I follow",
        description="The threads the caller follows and can still read, most recently active first (by the "
        "latest reply), each with its root, `reply_count`, `last_reply_at` and `unread` (replies from others "
        "after the caller's read marker, tombstones aside). A room the caller has left takes its threads "
        "with it.",
        responses={
            **answer(200, list[FollowedThread], "Followed threads, most recently active first.", examples.FOLLOWED),
            **error_responses(400, 401),
        },
    )
    async def followed(
        self,
        request: Request[User, Token, Any],
        threads: ThreadService,
        limit: Annotated[int, Parameter(ge=1, le=200, description="How many threads, 1 to 200.")] = 50,
    ) -> list[FollowedThread]:
        return await threads.followed(request.user.id, limit=limit)
