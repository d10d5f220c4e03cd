"""Rooms over HTTP: create, list, membership, room messages and read markers."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import Body
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from confab.dependencies import PageQuery, RoomPathId, UserPathId
from confab.domain.accounts.schemas import User, to_public_user
from confab.domain.messages import examples as message_examples
from confab.domain.messages.schemas import REPLY_RULES, Message
from confab.domain.messages.service import MessageService, Sending
from confab.domain.rooms import examples
from confab.domain.rooms.schemas import MemberAdd, ReadMarker, Room, RoomCreate, RoomMessageCreate, RoomSummary
from confab.domain.rooms.service import RoomService
from confab.domain.threads import examples as thread_examples
from confab.openapi import answer, error_responses
from confab.ratelimits import caller_id, rate_limited


class RoomController(Controller):
    path = "/api/rooms"
    tags = ["rooms"]

    @post(
        "/",
        summary="Create a room",
        description="The caller becomes owner and first member; `member_ids` are added too. An unknown "
        "member id is a 404 and creates nothing. Members' live sockets join the room at once.",
        responses={
            **answer(201, Room, "The new room.", examples.ROOM_CREATED),
            **error_responses(400, 401, 404, 413, 415),
        },
    )
    async def create_room(
        self,
        data: Annotated[RoomCreate, Body(examples=[examples.CREATE_ROOM])],
        request: Request[User, Token, Any],
        rooms: RoomService,
    ) -> Room:
        return await rooms.create(to_public_user(request.user), data)

    @get(
        "/",
        summary="My rooms",
        description="The rooms the caller belongs to, most recently active first, each with its last message "
        "and the caller's unread count (messages from others after the caller's read marker).",
        responses={
            **answer(200, list[RoomSummary], "The caller's rooms.", examples.MY_ROOMS),
            **error_responses(401),
        },
    )
    async def list_rooms(self, request: Request[User, Token, Any], rooms: RoomService) -> list[RoomSummary]:
        return await rooms.list_for(request.user.id)

    @get(
        "/{room_id:int}",
        summary="Show a room",
        description="Members only: a room that exists answers 403 to anyone else.",
        responses={**answer(200, Room, "The room.", examples.ROOM_CREATED), **error_responses(400, 401, 403, 404)},
    )
    async def show_room(self, room_id: RoomPathId, request: Request[User, Token, Any], rooms: RoomService) -> Room:
        return await rooms.show(request.user.id, room_id)

    @post(
        "/{room_id:int}/members",
        status_code=HTTP_200_OK,
        summary="Add a member",
        description="Any member may add anyone; adding an existing member changes nothing. The new member's "
        "live sockets join the room and receive a `room` event.",
        responses={
            **answer(200, Room, "The room with its members now.", examples.ROOM_CREATED),
            **error_responses(400, 401, 403, 404, 413, 415),
        },
    )
    async def add_member(
        self,
        room_id: RoomPathId,
        data: Annotated[MemberAdd, Body(examples=[examples.ADD_MEMBER])],
        request: Request[User, Token, Any],
        rooms: RoomService,
    ) -> Room:
        return await rooms.add_member(request.user.id, room_id, data.user_id)

    @delete(
        "/{room_id:int}/members/{user_id:int}",
        summary="Remove a member, or leave",
        description="A member may remove themself; the owner may remove anyone. When the owner leaves, the "
        "longest-standing member becomes owner. The removed user's sockets leave the room at once and "
        "receive `room_removed`.",
        responses=error_responses(400, 401, 403, 404),
    )
    async def remove_member(
        self, room_id: RoomPathId, user_id: UserPathId, request: Request[User, Token, Any], rooms: RoomService
    ) -> None:
        await rooms.remove_member(request.user.id, room_id, user_id)

    @post(
        "/{room_id:int}/messages",
        summary="Post to a room",
        description="Members only. Stored, then pushed once to the room's channel. Repeating a `client_id` "
        "returns the original message with 200 instead of 201 and stores nothing; a `client_id` already "
        "used for another conversation is a 409. " + REPLY_RULES,
        responses={
            **answer(201, Message, "The stored message.", examples.POSTED),
            **answer(200, Message, "The message sent earlier with this `client_id`.", examples.POSTED),
            **error_responses(400, 401, 403, 404, 409, 413, 415, 429),
        },
        guards=[rate_limited("send", caller_id)],
    )
    async def post_message(
        self,
        room_id: RoomPathId,
        data: Annotated[RoomMessageCreate, Body(examples=[examples.POST_MESSAGE, thread_examples.REPLY_IN_THREAD])],
        request: Request[User, Token, Any],
        sending: Sending,
    ) -> Response[Message]:
        sent = await sending.to_room(to_public_user(request.user), room_id, data)
        return Response(sent.message, status_code=HTTP_201_CREATED if sent.created else HTTP_200_OK)

    @get(
        "/{room_id:int}/messages",
        summary="Room history",
        description="Members only; ascending by id, with the same cursors as direct messages. Replies are not "
        "listed: they are in their root's thread (`GET /api/messages/{id}/thread`).",
        responses={
            **answer(200, list[Message], "A page of messages, oldest first.", examples.ROOM_HISTORY),
            **error_responses(400, 401, 403, 404),
        },
    )
    async def room_history(
        self,
        room_id: RoomPathId,
        request: Request[User, Token, Any],
        messages: MessageService,
        page: PageQuery,
    ) -> list[Message]:
        return await messages.room_history(
            request.user.id, room_id, after=page.after, before=page.before, limit=page.limit, around=page.around
        )

    @put(
        "/{room_id:int}/read",
        status_code=204,
        summary="Mark a room read",
        description="Moves the caller's read marker forward to `last_read_id` (never backwards).",
        responses=error_responses(400, 401, 403, 404, 413, 415),
    )
    async def mark_read(
        self,
        room_id: RoomPathId,
        data: Annotated[ReadMarker, Body(examples=[message_examples.READ_UP_TO])],
        request: Request[User, Token, Any],
        rooms: RoomService,
    ) -> None:
        await rooms.mark_read(request.user.id, room_id, data.last_read_id)
