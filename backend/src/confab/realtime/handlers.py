"""Socket.IO events: the authenticated handshake, `send`, and presence on first connect / last disconnect."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import socketio
from litestar.exceptions import HTTPException, NotAuthorizedException

from confab.domain.accounts.models import UserModel
from confab.domain.accounts.schemas import PublicUser
from confab.domain.accounts.tokens import decode_user_id
from confab.domain.messages.schemas import MessageCreate
from confab.domain.messages.service import MessageService
from confab.realtime.hub import RealtimeHub, SocketUser, user_channel

logger = logging.getLogger("confab.realtime")


class Presence(msgspec.Struct):
    user_id: int
    online: bool


def failure(status: int, detail: str) -> dict[str, Any]:
    """The acknowledgement of a refused client event, shaped like a REST error."""
    return {"ok": False, "status": status, "detail": detail}


def register_handlers(hub: RealtimeHub) -> None:
    """Attach confab's event handlers to the hub's Socket.IO server."""
    sio = hub.sio

    async def socket_user(sid: str) -> SocketUser:
        return (await sio.get_session(sid))["user"]

    async def announce_presence(user: SocketUser, *, online: bool) -> None:
        async with hub.session_maker() as session:
            correspondents = await MessageService(session=session, hub=hub).correspondents(user.id)
        await hub.emit_to_users("presence", Presence(user_id=user.id, online=online), correspondents)

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            user_id = decode_user_id(token, hub.settings)
        except NotAuthorizedException as error:
            raise socketio.exceptions.ConnectionRefusedError(f"unauthorized: {error.detail}") from error
        async with hub.session_maker() as session:
            row = await session.get(UserModel, user_id)
            if row is None:
                raise socketio.exceptions.ConnectionRefusedError("unauthorized: the account no longer exists")
            user = SocketUser(id=row.id, name=row.name, nickname=row.nickname)
        await sio.save_session(sid, {"user": user})
        await sio.enter_room(sid, user_channel(user.nickname))
        if await hub.presence.connected(user.id, sid):
            await announce_presence(user, online=True)

    @sio.event
    async def disconnect(sid: str, reason: str | None = None) -> None:
        user = (await sio.get_session(sid)).get("user")
        if user is not None and await hub.presence.disconnected(user.id, sid):
            await announce_presence(user, online=False)

    @sio.on("send")
    async def send(sid: str, data: Any = None) -> dict[str, Any]:
        """Same path as `POST /api/messages`; the return value is the acknowledgement."""
        user = await socket_user(sid)
        try:
            form = msgspec.convert(data, MessageCreate)
        except msgspec.ValidationError as error:
            return failure(400, f"invalid message: {error}")
        author = PublicUser(id=user.id, name=user.name, nickname=user.nickname)
        try:
            async with hub.session_maker() as session:
                message = await MessageService(session=session, hub=hub).send_direct(author, form)
        except HTTPException as error:
            return failure(error.status_code, error.detail)
        except Exception:
            logger.exception("send failed")
            return failure(500, "the message could not be stored; try again")
        return {"ok": True, "message": message}
