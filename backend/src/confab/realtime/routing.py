"""Routing events between workers through Redis, to exactly the workers that hold a socket that wants them.

Every Socket.IO room a worker has a socket in is a Redis channel this worker subscribes to
(`<REDIS_PREFIX>:socketio:user:<nickname>`, `...:room:<id>`, `...:token:<jti>`, and each socket's own
`...:<sid>`), with sharded pub/sub (SSUBSCRIBE/SPUBLISH, Redis 7): the subscription is made when the
first local socket enters the room and dropped when the last one leaves it (or disconnects). An emit
is encoded into its Socket.IO packet once, delivered to this worker's sockets, and published once to
the channel of each room it is addressed to (with the events emitted meanwhile: `confab.realtime.outbox`);
a worker that receives it sends the same packet text to its sockets, without decoding it. A worker with no
socket in a room receives none of its traffic.

python-socketio's API keeps working across workers: emitting to a room, a list of rooms (an event
addressed to several rooms is published to each, and a worker subscribed to more than one of them
delivers it once) or one socket; skipping sockets wherever they are; entering, leaving and closing
rooms and disconnecting sockets held by another worker (a request on that socket's own channel; entering
a room waits until the holder is subscribed to it, so an event emitted to the room right after reaches
the socket). Server-to-client acks (`call`, `emit(callback=...)`) work for sockets on this worker only;
binary payloads are not supported (confab sends neither).

Profile changes are the one thing every worker needs whether or not it holds a socket that sees them:
any worker may answer a REST request with a cached profile. So each worker also subscribes to one
`...@profiles` channel, and a `user_updated` emit publishes the user's id there too (a few bytes, and
profile changes are rare), on which every worker forgets its cached copy.

A worker that dies drops its subscriptions with its Redis connection: nothing is published to it any
more. When the connection drops, the worker reconnects (1 s, doubling up to 5 s) and subscribes again
to every room its sockets are in; `realtime/relay_watch.py` tells the sockets to catch up then.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import math
import uuid
from typing import Any

import msgspec
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import Connection

from confab.realtime.managers import USER_UPDATED_EVENT, DeliveryControl, message_id, skipped_sids
from confab.realtime.outbox import PublishOutbox

logger = logging.getLogger("confab.realtime")

# Waiting for Redis to confirm a subscription, or for another worker to put its socket in a room: a
# loaded machine can take a while, and a lost answer must not hang a handshake.
CONFIRMATION_TIMEOUT_SECONDS = 5.0
RECONNECT_FIRST_DELAY_SECONDS = 1.0
RECONNECT_MAX_DELAY_SECONDS = 5.0
# Events addressed to several rooms arrive once per room this worker is subscribed to, close together;
# the ids of that many recent ones are kept to deliver each once.
RECENT_MULTI_ROOM_EVENTS = 10_000
PROBE_MARK = b"probe "

_header_encoder = msgspec.json.Encoder()
_header_decoder = msgspec.json.Decoder()


class ChannelRouter(DeliveryControl):
    """The Redis client manager: a channel per room instead of one that every worker reads (see the module)."""

    def __init__(self, redis_url: str, channel_prefix: str) -> None:
        super().__init__()
        self.redis_url = redis_url
        self.host_id = uuid.uuid4().hex
        self.channel_prefix = channel_prefix
        self.worker_channel = f"{channel_prefix}@worker:{self.host_id}"
        self.profiles_channel = f"{channel_prefix}@profiles"
        self.publisher = Redis.from_url(redis_url)
        self.outbox = PublishOutbox(self.publisher)
        self.subscriber_name = f"socketio-{self.host_id}"
        self._own_mark = self.host_id.encode() + b" "
        self._serials = itertools.count(1)
        self._connection: Connection | None = None
        self._listener: asyncio.Task[None] | None = None
        self._changed: set[tuple[str, Any]] = set()
        self._sync: asyncio.Task[None] | None = None
        self._requested: set[str] = set()  # SSUBSCRIBE sent and no SUNSUBSCRIBE since
        self._unconfirmed: collections.Counter[str] = collections.Counter()
        self._confirmed: set[str] = set()
        self._waiting: dict[str, list[asyncio.Future[None]]] = {}
        self._replies: dict[int, asyncio.Future[None]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._recent: collections.OrderedDict[tuple[bytes, int], None] = collections.OrderedDict()
        self.probe_arrived: Any = lambda _token: None

    # --- channels -------------------------------------------------------------------------------------

    def channel(self, namespace: str, room: Any) -> str:
        """The Redis channel of a Socket.IO room (None: every socket of the namespace)."""
        space = "" if namespace == "/" else namespace
        return f"{self.channel_prefix}{space}@everyone" if room is None else f"{self.channel_prefix}{space}:{room}"

    def wanted_channels(self) -> set[str]:
        """The channels of every room this worker has a socket in, its own, and the profile changes'."""
        wanted = {self.worker_channel, self.profiles_channel}
        for namespace, rooms in self.rooms.items():
            wanted.update(self.channel(namespace, room) for room in rooms)
        return wanted

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._room_changed(namespace, room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        self._room_changed(namespace, room)

    def _room_changed(self, namespace: str, room: Any) -> None:
        """Every membership change passes here; the subscriptions follow in one batch per loop turn."""
        self._changed.add((namespace, room))
        if self._sync is None:
            self._sync = asyncio.get_running_loop().create_task(self._follow_rooms())
            self._background.add(self._sync)
            self._sync.add_done_callback(self._background.discard)

    async def _follow_rooms(self) -> None:
        changed, self._changed = self._changed, set()
        self._sync = None
        subscribe, unsubscribe = [], []
        for namespace, room in changed:
            channel = self.channel(namespace, room)
            wanted = room in self.rooms.get(namespace, {})
            if wanted and channel not in self._requested:
                subscribe.append(channel)
            elif not wanted:
                self._wake(channel)  # whoever waited for it left already
                if channel in self._requested:
                    unsubscribe.append(channel)
        connection = self._connection
        if connection is None or not (subscribe or unsubscribe):
            return  # without a connection, the next one subscribes to whatever is wanted then
        self._requested.update(subscribe)
        self._unconfirmed.update(subscribe)
        self._requested.difference_update(unsubscribe)
        self._confirmed.difference_update(unsubscribe)
        commands = [("SSUBSCRIBE", channel) for channel in subscribe]
        commands += [("SUNSUBSCRIBE", channel) for channel in unsubscribe]
        try:
            await connection.send_packed_command(connection.pack_commands(commands), check_health=False)
        except Exception:  # the listener notices the broken connection and starts over
            logger.warning("could not change Redis subscriptions; they are made again on reconnection")

    async def _until_subscribed(self, channel: str) -> None:
        if channel in self._confirmed or self._connection is None:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(channel, []).append(waiter)
        try:
            await asyncio.wait_for(waiter, CONFIRMATION_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning("Redis did not confirm a subscription in time; events may miss a socket until it does")

    def _confirm(self, channel: str) -> None:
        self._unconfirmed[channel] -= 1
        if self._unconfirmed[channel] <= 0:
            del self._unconfirmed[channel]
            if channel in self._requested:
                self._confirmed.add(channel)
                self._wake(channel)

    def _wake(self, channel: str) -> None:
        for waiter in self._waiting.pop(channel, []):
            if not waiter.done():
                waiter.set_result(None)

    # --- the subscription ---------------------------------------------------------------------------

    def initialize(self) -> None:
        super().initialize()
        self.start()

    def start(self) -> None:
        """Start listening (idempotent: the hub starts it with the app, python-socketio on its first request)."""
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen_forever())

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        await self.publisher.aclose()

    async def _connect(self) -> Connection:
        # RESP2: published messages are plain replies that `read_response` returns (RESP3 pushes them aside).
        pool = ConnectionPool.from_url(self.redis_url, client_name=self.subscriber_name, protocol=2)
        connection = pool.make_connection()
        await connection.connect()
        # From here to the write, nothing awaits: a room change after it is followed on this connection.
        wanted = sorted(self.wanted_channels())
        self._requested = set(wanted)
        self._unconfirmed = collections.Counter(wanted)
        self._confirmed = set()
        self._connection = connection
        await connection.send_packed_command(
            connection.pack_commands([("SSUBSCRIBE", channel) for channel in wanted]), check_health=False
        )
        return connection

    def _connection_lost(self) -> None:
        self._connection = None
        self._requested.clear()
        self._unconfirmed.clear()
        self._confirmed.clear()
        for channel in list(self._waiting):  # nobody waits on a connection that is gone; the relay watch resyncs
            self._wake(channel)

    async def _listen_forever(self) -> None:
        delay = RECONNECT_FIRST_DELAY_SECONDS
        while True:
            connection: Connection | None = None
            try:
                connection = await self._connect()
                delay = RECONNECT_FIRST_DELAY_SECONDS
                while True:
                    # No read timeout: a subscription is quiet for as long as nobody talks (redis-py >= 8).
                    response = await connection.read_response(timeout=math.inf)
                    await self._handle(response)
            except asyncio.CancelledError:
                if connection is not None:
                    await connection.disconnect()
                self._connection_lost()
                raise
            except Exception as error:
                logger.error("cannot receive from Redis (%s); retrying in %s s", type(error).__name__, delay)
                self._connection_lost()
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.disconnect()
                # At least a second: the relay watch's probes must see the drop (see relay_watch.py).
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY_SECONDS)

    async def _handle(self, response: Any) -> None:
        kind = response[0]
        if kind == b"smessage":
            try:
                await self._received(response[2])
            except Exception:
                logger.exception("an event from Redis could not be handled")
        elif kind == b"ssubscribe":
            self._confirm(response[1].decode())

    # --- publishing ---------------------------------------------------------------------------------

    def _message(self, header: list[Any], body: str = "") -> bytes:
        return self._own_mark + _header_encoder.encode(header) + b"\n" + body.encode()

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        target = to or room
        namespace = namespace or "/"
        if kwargs.get("ignore_queue") or callback is not None:
            # Acks are collected by the worker that holds the socket: server-to-client calls stay local.
            await super().emit(event, data, namespace, room=target, skip_sid=skip_sid, callback=callback)
            return
        skip = skipped_sids(skip_sid)
        encoded = self.encode(event, data, namespace)
        await self.deliver(namespace, target, skip, event, encoded, data)
        rooms = None if target is None else ([target] if isinstance(target, str) else list(target))
        channels = [self.channel(namespace, None)] if rooms is None else [self.channel(namespace, r) for r in rooms]
        header = ["emit", next(self._serials), namespace, rooms, skip or None, event]
        if event == USER_UPDATED_EVENT:
            channels.append(self.profiles_channel)
        try:
            await self.outbox.publish(channels, self._message(header, encoded))
        except Exception as error:  # Redis is away: local sockets got it, the relay watch resyncs the others
            logger.error("cannot publish to Redis (%s); the event reached this worker's sockets only", error)

    async def send_probe(self, token: str) -> None:
        """Publish a probe to this worker's own channel (see relay_watch.py); it raises when Redis is away."""
        await self.publisher.spublish(self.worker_channel, PROBE_MARK + token.encode())

    # --- other workers' sockets ----------------------------------------------------------------------

    def _holds(self, sid: str, namespace: str) -> bool:
        return sid in self.rooms.get(namespace, {}).get(None, {})

    async def _ask_holder(self, sid: str, namespace: str, method: str, argument: Any, wait: bool) -> None:
        """Ask the worker holding `sid` (the one subscribed to its channel) to act; `wait` for it to have done it."""
        serial = next(self._serials)
        reply: asyncio.Future[None] | None = None
        if wait:
            reply = asyncio.get_running_loop().create_future()
            self._replies[serial] = reply
        try:
            header = [method, serial, namespace, sid, argument, self.worker_channel]
            receivers = await self.publisher.spublish(self.channel(namespace, sid), self._message(header))
            if reply is not None and receivers:
                await asyncio.wait_for(reply, CONFIRMATION_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning("the worker holding a socket did not answer a %s request in time", method)
        finally:
            self._replies.pop(serial, None)

    async def enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        if eio_sid is not None or self._holds(sid, namespace):
            if eio_sid is not None or self.is_connected(sid, namespace) or self.is_pre_connected(sid, namespace):
                await super().enter_room(sid, namespace, room, eio_sid=eio_sid)
                await self._until_subscribed(self.channel(namespace, room))
            return
        await self._ask_holder(sid, namespace, "enter_room", room, wait=True)

    async def leave_room(self, sid: str, namespace: str, room: Any) -> None:
        if self._holds(sid, namespace):
            await super().leave_room(sid, namespace, room)
            return
        await self._ask_holder(sid, namespace, "leave_room", room, wait=False)

    async def close_room(self, room: Any, namespace: str) -> None:
        await super().close_room(room, namespace)
        header = ["close_room", next(self._serials), namespace, None, room, None]
        await self.publisher.spublish(self.channel(namespace, room), self._message(header))

    async def can_disconnect(self, sid: str, namespace: str) -> bool:
        if self._holds(sid, namespace):
            return await super().can_disconnect(sid, namespace)
        await self._ask_holder(sid, namespace, "disconnect", None, wait=False)
        return False

    # --- receiving ----------------------------------------------------------------------------------

    async def _received(self, message: bytes) -> None:
        if message.startswith(PROBE_MARK):
            self.probe_arrived(message[len(PROBE_MARK) :].decode())
            return
        if message.startswith(self._own_mark):
            return  # this worker's sockets had it at once
        origin, _, rest = message.partition(b" ")
        header_text, _, body = rest.partition(b"\n")
        header = _header_decoder.decode(header_text)
        method, serial, namespace = header[0], header[1], header[2]
        if method == "emit":
            rooms, skip, event = header[3], header[4] or [], header[5]
            if event == USER_UPDATED_EVENT:
                self.profile_changed(message_id(self._payload(body.decode())))
            # Published to several channels, it arrives once per channel this worker is subscribed to.
            several = (rooms is not None and len(rooms) > 1) or event == USER_UPDATED_EVENT
            if several and self._seen(origin, serial):
                return
            encoded = body.decode()
            await self.deliver(namespace, rooms, skip, event, encoded, read_payload=lambda: self._payload(encoded))
            return
        sid, argument, reply_channel = header[3], header[4], header[5]
        if method == "enter_room":
            entered = self.is_connected(sid, namespace) or self.is_pre_connected(sid, namespace)
            if entered:
                self.basic_enter_room(sid, namespace, argument)
            # Answered even when the socket has gone meanwhile, so the asking worker need not wait it out;
            # from a task, because the subscription is confirmed through the connection this loop reads.
            answer = self._answer_when_subscribed(namespace, argument if entered else None, reply_channel, serial)
            self._background.add(task := asyncio.get_running_loop().create_task(answer))
            task.add_done_callback(self._background.discard)
        elif method == "leave_room":
            self.basic_leave_room(sid, namespace, argument)
        elif method == "close_room":
            self.basic_close_room(argument, namespace)
        elif method == "disconnect":
            if self._holds(sid, namespace):
                await self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
        elif method == "done":
            waiter = self._replies.get(serial)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    async def _answer_when_subscribed(self, namespace: str, room: Any, reply_channel: str, serial: int) -> None:
        if room is not None:
            await self._until_subscribed(self.channel(namespace, room))
        with contextlib.suppress(Exception):
            await self.publisher.spublish(reply_channel, self._message(["done", serial, namespace, None, None, None]))

    def _seen(self, origin: bytes, serial: int) -> bool:
        key = (origin, serial)
        if key in self._recent:
            return True
        self._recent[key] = None
        if len(self._recent) > RECENT_MULTI_ROOM_EVENTS:
            self._recent.popitem(last=False)
        return False

    def _payload(self, encoded: str) -> Any:
        """An event's payload read back from its packet (only the replay gate needs it)."""
        return self.server.packet_class(encoded_packet=encoded).data[1]
