"""Notification levels over HTTP: `PUT /api/rooms/{id}/notifications`."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, put
from litestar.openapi.spec import Example
from litestar.params import Body
from litestar.security.jwt import Token

from confab.dependencies import RoomPathId
from confab.domain.accounts.schemas import User
from confab.domain.notifications.schemas import NotificationSetting
from confab.domain.notifications.service import NotificationService
from confab.openapi import answer, error_responses

MUTED = Example(summary="Only mentions alert me in this room", value=NotificationSetting(level="mentions"))


class NotificationController(Controller):
    path = "/api/rooms"
    tags = ["rooms"]

    @put(
        "/{room_id:int}/notifications",
        summary="Set my notification level for a room",
        description="`all` (the default): every message in the room alerts the caller with a `notify` socket "
        "event, and thread replies do for threads they follow; `mentions`: only messages that mention them "
        "(`@nickname`, `@room`); `none`: nothing alerts, though unread counts go on counting. Members only. "
        "`GET /api/rooms` shows each room's level. A change is pushed to the caller's sockets as "
        "`notification_level {room_id, level}`.",
        responses={
            **answer(200, NotificationSetting, "The level now.", MUTED),
            **error_responses(400, 401, 403, 404, 413, 415),
        },
    )
    async def set_level(
        self,
        room_id: RoomPathId,
        data: Annotated[NotificationSetting, Body(examples=[MUTED])],
        request: Request[User, Token, Any],
        notifications: NotificationService,
    ) -> NotificationSetting:
        return await notifications.set_room_level(request.user, room_id, data.level)
