"""The Socket.IO server and everything that pushes to it; services publish through `RealtimeHub`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import socketio
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from confab.domain.accounts.profiles import PublicProfiles
from confab.domain.files.links import FileLinks
from confab.domain.files.storage import FileStorage
from confab.domain.messages.group_commit import MessageWriter
from confab.domain.notifications.schemas import Notification, NotificationSetting
from confab.ratelimits import RateLimits
from confab.realtime import codec
from confab.realtime.channels import room_channel, user_channel
from confab.realtime.managers import (
    MESSAGE_EVENT,
    MESSAGE_UPDATED_EVENT,
    NOTIFY_EVENT,
    SESSION_ENDED_EVENT,
    USER_UPDATED_EVENT,
    DeliveryControl,
)
from confab.realtime.packets import CheckedPacket
from confab.realtime.presence import LocalPresence, Presence, RedisPresence
from confab.realtime.relay_watch import RelayWatch
from confab.realtime.routing import ChannelRouter
from confab.settings import Settings

if TYPE_CHECKING:
    from confab.domain.accounts.schemas import PublicUser
    from confab.domain.messages.schemas import Message
    from confab.domain.notifications.schemas import Reason
    from confab.domain.rooms.schemas import Room

logger = logging.getLogger("confab.realtime")


def audience(message: Message) -> list[str]:
    """The channels of exactly the people who may see the message: a room's members, or a DM's two parties."""
    if message.room_id is not None:
        return [room_channel(message.room_id)]
    channels = [user_channel(message.author.nickname)]
    if message.recipient is not None and message.recipient.id != message.author.id:
        channels.append(user_channel(message.recipient.nickname))
    return channels


class RealtimeHub:
    """Owns the Socket.IO server, presence, and the channels each event goes to."""

    def __init__(
        self,
        settings: Settings,
        session_maker: async_sessionmaker[AsyncSession],
        rate_limits: RateLimits,
    ) -> None:
        self.settings = settings
        self.session_maker = session_maker
        self.rate_limits = rate_limits
        # Messages carry their files' signed links, and deleting a message deletes its files' bytes.
        self.file_links = FileLinks(settings.secret_key, settings.file_url_lifetime_seconds)
        self.profiles = PublicProfiles(self.file_links)
        self.file_storage = FileStorage.from_settings(settings)
        # New messages are written by this worker's group commit, a batch per transaction.
        self.message_writer = MessageWriter(session_maker, self.profiles, self.file_links)
        self.redis: Redis | None = None
        self.manager: DeliveryControl = DeliveryControl()  # in-process, for one worker without Redis
        if settings.redis_url:
            self.redis = Redis.from_url(settings.redis_url)
            self.manager = ChannelRouter(settings.redis_url, channel_prefix=f"{settings.redis_prefix}:socketio")
        self.manager.profile_changed = self.profiles.forget
        self.presence: Presence = (
            RedisPresence(
                self.redis, prefix=f"{settings.redis_prefix}:presence:", ttl_seconds=settings.presence_ttl_seconds
            )
            if self.redis
            else LocalPresence()
        )
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=self.manager,
            cors_allowed_origins=list(settings.cors_origins) or None,
            json=codec,
            serializer=CheckedPacket,
            max_http_buffer_size=settings.max_body_bytes,
            ping_interval=20,
            ping_timeout=20,
        )
        self._background: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if isinstance(self.manager, ChannelRouter) and isinstance(self.presence, RedisPresence):
            self.manager.start()
            relay_watch = RelayWatch(self.manager, self.presence)
            self._background = [
                asyncio.create_task(self._refresh_presence_forever()),
                asyncio.create_task(relay_watch.run_forever()),
            ]

    async def stop(self) -> None:
        for task in self._background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if isinstance(self.manager, ChannelRouter):
            await self.manager.stop()
        if self.redis is not None:
            await self.redis.aclose()
        await self.message_writer.close()

    async def _refresh_presence_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.presence_ttl_seconds / 3)
            try:
                await self.presence.refresh()
            except RedisError:  # Redis is away; the next refresh after it is back restores this worker's sockets
                logger.warning("presence refresh failed: Redis unreachable")
            except Exception:  # nothing must end the loop
                logger.exception("presence refresh failed")

    async def message_created(self, message: Message) -> None:
        """Push a committed message once, to the channels of exactly the people who may see it."""
        await self.sio.emit(MESSAGE_EVENT, message, to=audience(message))

    async def message_updated(self, message: Message) -> None:
        """Push a committed change (edit, delete, reaction) as the whole message, to the same audience."""
        await self.sio.emit(MESSAGE_UPDATED_EVENT, message, to=audience(message))

    async def notify(self, message: Message, alerts: dict[Reason, list[str]]) -> None:
        """Alert each listed user's sockets (`notify {message, reason}`), once per user, after the commit."""
        for reason, nicknames in alerts.items():
            if nicknames:
                channels = [user_channel(nickname) for nickname in nicknames]
                await self.sio.emit(NOTIFY_EVENT, Notification(message=message, reason=reason), to=channels)

    async def user_updated(self, profile: PublicUser, channels: list[str]) -> None:
        """Push a committed profile change to `channels`; every worker forgets its cached copy on the way
        (see `DeliveryControl.emit`), this one at once."""
        self.profiles.forget(profile.id)
        await self.sio.emit(USER_UPDATED_EVENT, profile, to=channels)

    async def emit_to(self, event: str, payload: Any, channels: list[str], skip_sids: list[str] | None = None) -> None:
        if channels:
            await self.sio.emit(event, payload, to=channels, skip_sid=skip_sids)

    async def notification_level_set(self, nickname: str, room_id: int, setting: NotificationSetting) -> None:
        """Tell all of the member's sockets (their other tabs and devices) their new level for a room."""
        change = {"room_id": room_id, "level": setting.level}
        await self.sio.emit("notification_level", change, to=user_channel(nickname))

    async def end_sessions(self, channel: str, reason: str) -> None:
        """Send `session_ended {reason}` to every socket in `channel` (on any worker), then disconnect them."""
        await self.sio.emit(SESSION_ENDED_EVENT, {"reason": reason}, to=channel)

    async def members_joined(self, room: Room, user_ids: Iterable[int]) -> None:
        """Move the new members' live sockets (on any worker) into the room, then tell every member."""
        channel = room_channel(room.id)
        for user_id in user_ids:
            for sid in await self.presence.sockets_of(user_id):
                await self.sio.enter_room(sid, channel)
        await self.sio.emit("room", room, to=channel)

    async def evict(self, room_id: int, user_id: int) -> None:
        """Take the user's live sockets (on any worker) out of the room's channel."""
        channel = room_channel(room_id)
        for sid in await self.presence.sockets_of(user_id):
            await self.sio.leave_room(sid, channel)

    async def member_left(self, room: Room, nickname: str) -> None:
        """Tell the removed user's sockets, and the remaining members."""
        await self.sio.emit("room_removed", {"room_id": room.id}, to=user_channel(nickname))
        await self.sio.emit("room", room, to=room_channel(room.id))
