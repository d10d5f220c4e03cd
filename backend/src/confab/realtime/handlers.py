"""Socket.IO events: the authenticated handshake with catch-up, `send`, `edit`, `delete`, `react`, `typing`,
and presence; any other event, or a payload that cannot be read, is acked with a 400."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import socketio
from litestar.exceptions import HTTPException, NotAuthorizedException
from sqlalchemy.ext.asyncio import AsyncSession

from confab.db.on_demand import SessionOnDemand
from confab.db.outages import OUTAGE_DETAIL, RETRY_AFTER_SECONDS, is_database_outage
from confab.domain.accounts.schemas import PublicUser, to_public_user
from confab.domain.accounts.tokens import decode_token, user_for_token
from confab.domain.messages.schemas import Content, Message, MessageCreate, MessageEdit
from confab.domain.messages.service import MessageService, Sending, Sent
from confab.domain.reactions.service import ReactionService
from confab.domain.rooms.schemas import RoomMessageCreate
from confab.domain.rooms.service import RoomService
from confab.ratelimits import TooManyRequests
from confab.realtime.channels import is_room_channel, room_channel, token_channel, user_channel
from confab.realtime.hub import RealtimeHub
from confab.realtime.managers import MESSAGE_EVENT, MESSAGE_UPDATED_EVENT, message_id, message_seq
from confab.realtime.packets import UNREADABLE_EVENT, Unreadable
from confab.schemas import Cursor, Id, validation_problem

logger = logging.getLogger("confab.realtime")

# At most this many missed messages are replayed in the handshake; the rest is paged through REST.
REPLAY_LIMIT = 500


class PresenceChange(msgspec.Struct):
    user_id: int
    online: bool


class Synced(msgspec.Struct):
    """The end of a catch-up: `seq` is the cursor to resume from with `since` (null only when a `last_id`
    replay failed); `complete: false` means more is to be paged through REST."""

    last_id: int
    seq: int | None
    complete: bool


class HandshakeAuth(msgspec.Struct):
    token: str
    last_id: Cursor | None = None
    since: Cursor | None = None


class RoomTarget(msgspec.Struct):
    room_id: Id


class EditRequest(msgspec.Struct, forbid_unknown_fields=True):
    message_id: Id
    content: Content


class DeleteRequest(msgspec.Struct, forbid_unknown_fields=True):
    message_id: Id


class ReactRequest(msgspec.Struct, forbid_unknown_fields=True):
    message_id: Id
    emoji: str
    remove: bool = False


class TypingTarget(msgspec.Struct, forbid_unknown_fields=True):
    room_id: Id | None = None
    recipient_id: Id | None = None


def failure(status: int, detail: str) -> dict[str, Any]:
    """The acknowledgement of a refused client event, shaped like a REST error."""
    return {"ok": False, "status": status, "detail": detail}


def invalid(what: str, error: msgspec.ValidationError) -> dict[str, Any]:
    """A 400 ack worded as the REST 400s are: the field, then its rule in words."""
    problem = validation_problem(error)
    return failure(400, f"{what}: {problem['key']}: {problem['message']}")


def too_many(error: TooManyRequests) -> dict[str, Any]:
    return {**failure(error.status_code, error.detail), "retry_after": error.retry_after}


async def send_from_socket(sending: Sending, author: PublicUser, data: Any) -> Sent:
    """Validate a `send` payload exactly as the REST bodies are validated, then send it."""
    if isinstance(data, dict) and "room_id" in data:
        fields = dict(data)
        room = msgspec.convert({"room_id": fields.pop("room_id")}, RoomTarget)
        return await sending.to_room(author, room.room_id, msgspec.convert(fields, RoomMessageCreate))
    return await sending.direct(author, msgspec.convert(data, MessageCreate))


EventHandler = Callable[[str, Any], Awaitable[dict[str, Any]]]


def register_handlers(hub: RealtimeHub) -> None:
    """Attach confab's event handlers to the hub's Socket.IO server."""
    sio = hub.sio

    def client_event(name: str) -> Callable[[EventHandler], EventHandler]:
        """Register the handler of a client event that takes one payload; more than one is a 400 ack (python-socketio
        would call the handler with too many arguments, fail, and never ack)."""

        def register(handler: EventHandler) -> EventHandler:
            async def receive(sid: str, *payloads: Any) -> dict[str, Any]:
                if len(payloads) > 1:
                    return failure(400, f"{name} takes one payload, not {len(payloads)}")
                return await handler(sid, payloads[0] if payloads else None)

            sio.on(name, receive)
            return handler

        return register

    async def socket_user(sid: str) -> PublicUser:
        return (await sio.get_session(sid))["user"]

    async def settle_rooms(sid: str, user_id: int, joined: list[int]) -> list[int]:
        """Read the memberships again now that the socket is in its channels and counted in presence.

        A member removed (or added) while the handshake ran may have been evicted (or moved in) before
        this socket was there to be found; from here on every membership change finds it.
        """
        async with hub.session_maker() as session:
            current = await RoomService(session=session, hub=hub).room_ids_of(user_id)
        for room_id in set(joined) - set(current):
            await sio.leave_room(sid, room_channel(room_id))
        for room_id in set(current) - set(joined):
            await sio.enter_room(sid, room_channel(room_id))
        return current

    def messages_in(session: AsyncSession) -> MessageService:
        return MessageService(session=session, hub=hub)

    async def announce_presence(user: PublicUser, sid: str, room_channels: list[str], *, online: bool) -> None:
        """Tell everyone who shares a conversation or a room with the user (not the user's own sockets)."""
        async with hub.session_maker() as session:
            correspondents = await messages_in(session).correspondents(user.id)
        channels = [user_channel(nickname) for nickname in correspondents] + room_channels
        await hub.emit_to("presence", PresenceChange(user_id=user.id, online=online), channels, skip_sids=[sid])

    async def missed_since(
        user: PublicUser, room_ids: list[int], handshake: HandshakeAuth
    ) -> tuple[list[tuple[str, Message]], int]:
        """What the socket missed, as the events that would have told it, and the `seq` it is synced to after them.

        With `since`: new messages as `message` and changed ones as `message_updated`, each once in its latest
        state, in `seq` order. With `last_id`: new messages only, and the server's latest `seq` read before
        them, from which a client may follow changes with `since` (older changes it missed are not replayed).
        """
        async with hub.session_maker() as session:
            service = messages_in(session)
            if handshake.since is not None:
                changes = await service.changes_since(
                    user.id, since=handshake.since, limit=REPLAY_LIMIT + 1, room_ids=room_ids
                )
                events = [
                    (MESSAGE_EVENT if change.new else MESSAGE_UPDATED_EVENT, change.message) for change in changes
                ]
                return events, handshake.since
            latest_seq = await service.latest_seq()
            missed = await service.visible_since(
                user.id, room_ids, after=handshake.last_id or 0, limit=REPLAY_LIMIT + 1
            )
            return [(MESSAGE_EVENT, message) for message in missed], latest_seq

    async def replay(sid: str, user: PublicUser, room_ids: list[int], handshake: HandshakeAuth) -> None:
        """Send what the socket missed, then `synced`, then what arrived meanwhile and the replay did not contain."""
        gate = hub.manager
        try:
            missed, synced_seq = await missed_since(user, room_ids, handshake)
            complete = len(missed) <= REPLAY_LIMIT
            missed = missed[:REPLAY_LIMIT]
            for event, message in missed:
                await gate.send_to_socket(sid, event, message)
            replayed = {message.id: message.seq for _event, message in missed}
            if handshake.since is not None and missed:
                synced_seq = missed[-1][1].seq
            last_id = max(replayed, default=handshake.last_id or 0)
            await gate.send_to_socket(sid, "synced", Synced(last_id=last_id, seq=synced_seq, complete=complete))
            while held := gate.take_held(sid):
                for event, payload in held:
                    # The replay showed that message in this state or a later one: sending it again would be twice.
                    if replayed.get(message_id(payload), 0) < message_seq(payload):
                        await gate.send_to_socket(sid, event, payload)
        except Exception:
            logger.exception("catch-up replay failed; the client is told to page through REST")
            # What was held back must still arrive, and `complete: false` sends the client to REST for
            # everything after its own cursor, so nothing the failed replay skipped is lost.
            with contextlib.suppress(Exception):
                for event, payload in gate.take_held(sid):
                    await gate.send_to_socket(sid, event, payload)
                failed = Synced(last_id=handshake.last_id or 0, seq=handshake.since, complete=False)
                await gate.send_to_socket(sid, "synced", failed)
        finally:
            gate.release(sid)

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            handshake = msgspec.convert(auth, HandshakeAuth)
            token = decode_token(handshake.token, hub.settings)
        except msgspec.ValidationError as error:
            raise socketio.exceptions.ConnectionRefusedError(f"unauthorized: bad auth payload ({error})") from error
        except NotAuthorizedException as error:
            raise socketio.exceptions.ConnectionRefusedError(f"unauthorized: {error.detail}") from error
        catching_up = handshake.last_id is not None or handshake.since is not None
        user: PublicUser | None = None
        try:
            async with hub.session_maker() as session:
                account = await user_for_token(session, token, hub.file_links)
                if account is None:
                    raise socketio.exceptions.ConnectionRefusedError("unauthorized: the token was revoked")
                user = to_public_user(account)
                room_ids = await RoomService(session=session, hub=hub).room_ids_of(user.id)
            await sio.save_session(sid, {"user": user})
            if catching_up:
                hub.manager.hold(sid)  # before joining: every live message from here on is held or replayed
            if token.jti:
                await sio.enter_room(sid, token_channel(token.jti))
            await sio.enter_room(sid, user_channel(user.nickname))
            for room_id in room_ids:
                await sio.enter_room(sid, room_channel(room_id))
            first_socket = await hub.presence.connected(user.id, sid)
            room_ids = await settle_rooms(sid, user.id, room_ids)
            if first_socket:
                await announce_presence(user, sid, [room_channel(i) for i in room_ids], online=True)
        except socketio.exceptions.ConnectionRefusedError:
            raise
        except Exception as error:
            # Refusing (rather than failing) makes python-socketio take the socket out of every room;
            # the gate and presence are ours to undo, or they would keep the socket alive forever.
            logger.exception("handshake failed after the token was checked")
            hub.manager.release(sid)
            if user is not None:
                with contextlib.suppress(Exception):
                    await hub.presence.disconnected(user.id, sid)
            raise socketio.exceptions.ConnectionRefusedError("server error: try again") from error
        if catching_up:
            # Runs once this handler has returned and the CONNECT packet is queued ahead of the replay.
            sio.start_background_task(replay, sid, user, room_ids, handshake)

    @sio.event
    async def disconnect(sid: str, reason: str | None = None) -> None:
        hub.manager.release(sid)
        user = (await sio.get_session(sid)).get("user")
        if user is not None and await hub.presence.disconnected(user.id, sid):
            # python-socketio takes the socket out of its channels after this handler: they are still here.
            room_channels = [channel for channel in sio.rooms(sid) if is_room_channel(channel)]
            await announce_presence(user, sid, room_channels, online=False)

    async def write(
        sid: str, what: str, apply: Callable[[PublicUser, SessionOnDemand], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        """Run one write (a send or a change) for the socket's user within the send budget; the ack, with a
        refusal worded and numbered as the REST routes word and number it."""
        user = await socket_user(sid)
        try:
            await hub.rate_limits.spend("send", str(user.id))
            async with SessionOnDemand(hub.session_maker) as reads:
                return await apply(user, reads)
        except msgspec.ValidationError as error:
            return invalid(f"invalid {what}", error)
        except TooManyRequests as error:
            return too_many(error)
        except HTTPException as error:
            return failure(error.status_code, error.detail)
        except Exception as error:
            logger.exception("%s failed", what)
            if is_database_outage(error):
                return {**failure(503, OUTAGE_DETAIL), "retry_after": RETRY_AFTER_SECONDS}
            return failure(500, f"the {what} could not be stored; try again")

    @client_event("send")
    async def send(sid: str, data: Any) -> dict[str, Any]:
        """`{recipient_id, content}` or `{room_id, content}` (a reply with `thread_id`), the same path as the REST
        routes; returns the ack."""

        async def apply(author: PublicUser, reads: SessionOnDemand) -> dict[str, Any]:
            sent = await send_from_socket(Sending(hub, reads), author, data)
            return {"ok": True, "message": sent.message, "created": sent.created}

        return await write(sid, "message", apply)

    @client_event("edit")
    async def edit(sid: str, data: Any) -> dict[str, Any]:
        """`{message_id, content}`: the same rules and answers as `PATCH /api/messages/{id}`."""

        async def apply(user: PublicUser, reads: SessionOnDemand) -> dict[str, Any]:
            request = msgspec.convert(data, EditRequest)
            edited = await messages_in(reads()).edit(user, request.message_id, MessageEdit(content=request.content))
            return {"ok": True, "message": edited}

        return await write(sid, "edit", apply)

    @client_event("delete")
    async def delete(sid: str, data: Any) -> dict[str, Any]:
        """`{message_id}`: the same rules as `DELETE /api/messages/{id}`; the ack is `{"ok": true}`."""

        async def apply(user: PublicUser, reads: SessionOnDemand) -> dict[str, Any]:
            request = msgspec.convert(data, DeleteRequest)
            await messages_in(reads()).delete_message(user.id, request.message_id)
            return {"ok": True}

        return await write(sid, "delete", apply)

    @client_event("react")
    async def react(sid: str, data: Any) -> dict[str, Any]:
        """`{message_id, emoji, remove?}`: the same rules and answers as the reaction routes."""

        async def apply(user: PublicUser, reads: SessionOnDemand) -> dict[str, Any]:
            request = msgspec.convert(data, ReactRequest)
            reactions = ReactionService(session=reads(), hub=hub)
            act = reactions.remove if request.remove else reactions.add
            return {"ok": True, "message": await act(user.id, request.message_id, request.emoji)}

        return await write(sid, "reaction", apply)

    @client_event("typing")
    async def typing(sid: str, data: Any) -> dict[str, Any]:
        """Relay "typing..." to the other parties of a room or DM, within the socket's typing budget."""
        user = await socket_user(sid)
        try:
            target = msgspec.convert(data, TypingTarget)
        except msgspec.ValidationError as error:
            return invalid("invalid typing event", error)
        if (target.room_id is None) == (target.recipient_id is None):
            return failure(400, "give exactly one of room_id or recipient_id")
        try:
            await hub.rate_limits.spend("typing", sid)
        except TooManyRequests as error:
            return too_many(error)
        if target.room_id is not None:
            if room_channel(target.room_id) not in sio.rooms(sid):
                return failure(403, "you are not a member of this room")
            # The typist's other tabs are members too; only a room needs them skipped.
            own_sockets = await hub.presence.sockets_of(user.id)
            payload = {"user_id": user.id, "room_id": target.room_id}
            await hub.emit_to("typing", payload, [room_channel(target.room_id)], skip_sids=own_sockets)
            return {"ok": True}
        async with hub.session_maker() as db:
            recipient = await hub.profiles.get(db, target.recipient_id)
        if recipient is None:
            return failure(404, f"no user with id {target.recipient_id}")
        if recipient.id != user.id:
            payload = {"user_id": user.id, "recipient_id": recipient.id}
            await hub.emit_to("typing", payload, [user_channel(recipient.nickname)])
        return {"ok": True}

    @sio.on(UNREADABLE_EVENT)
    async def unreadable(sid: str, *reason: Any) -> dict[str, Any]:
        """A packet `CheckedPacket` could not read; the reason is an `Unreadable`, which no client can send."""
        if len(reason) == 1 and isinstance(reason[0], Unreadable):
            return failure(400, f"unreadable payload: {reason[0]}")
        return failure(400, f"unknown event {UNREADABLE_EVENT!r}")

    @sio.on("*")
    async def unknown(event: str, sid: str, *_payloads: Any) -> dict[str, Any]:
        return failure(400, f"unknown event {event[:64]!r}")
