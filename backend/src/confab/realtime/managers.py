"""The Socket.IO client manager's local delivery step, with two things added on every worker.

- Ending sessions: a `session_ended` event is delivered and then its recipients are disconnected,
  so logging out or changing a password closes the right sockets wherever they are connected.
- Profile changes: a `user_updated` event makes the worker forget that user's cached profile (with
  Redis, every worker, whether or not it holds a socket the event goes to: see `realtime/routing.py`).
- A replay gate for the catch-up right after a handshake: while a socket replays what it missed,
  live `message` and `message_updated` events addressed to it are held back, then delivered after
  the replay minus those the replay already contained (in the same or a later state), so nothing is
  lost and nothing arrives twice.

An event is encoded into its Socket.IO packet once, and that packet text is what every socket gets:
the in-process manager and the Redis routing (`realtime/routing.py`, for events from other workers)
both hand it to `deliver`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

import socketio
from engineio import packet as engineio_packet
from socketio import packet

MESSAGE_EVENT = "message"
MESSAGE_UPDATED_EVENT = "message_updated"
HELD_EVENTS = frozenset({MESSAGE_EVENT, MESSAGE_UPDATED_EVENT})
SESSION_ENDED_EVENT = "session_ended"
NOTIFY_EVENT = "notify"
RELAY_PROBE_EVENT = "relay_probe"
USER_UPDATED_EVENT = "user_updated"


def message_id(payload: Any) -> int:
    return payload["id"] if isinstance(payload, dict) else payload.id


def message_seq(payload: Any) -> int:
    """A pushed message's place in the change order (payloads from other workers arrive as dicts)."""
    return payload["seq"] if isinstance(payload, dict) else payload.seq


def skipped_sids(skip_sid: Any) -> list[str]:
    if skip_sid is None:
        return []
    return list(skip_sid) if isinstance(skip_sid, list | tuple) else [skip_sid]


class DeliveryControl(socketio.AsyncManager):
    """Holds live messages for replaying sockets and closes ended sessions; see the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held: dict[str, list[tuple[str, Any]]] = {}
        # Called with a user id when a `user_updated` event is emitted; with None to forget every profile.
        self.profile_changed: Callable[[int | None], None] = lambda _user_id: None

    def hold(self, sid: str) -> None:
        self.held[sid] = []

    def take_held(self, sid: str) -> list[tuple[str, Any]]:
        """The `(event, payload)` pairs held back so far, in change order; the socket stays gated until `release`."""
        events, self.held[sid] = self.held.get(sid, []), []
        return sorted(events, key=lambda held: message_seq(held[1]))

    def release(self, sid: str) -> None:
        self.held.pop(sid, None)

    async def send_to_socket(self, sid: str, event: str, payload: Any, namespace: str = "/") -> None:
        """Deliver straight to one local socket, past the gate (the replay itself uses this)."""
        await socketio.AsyncManager.emit(self, event, payload, namespace, to=sid)

    def encode(self, event: str, data: Any, namespace: str) -> str:
        """The Socket.IO packet of an event, as text: what every socket it goes to is sent."""
        arguments = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(packet.EVENT, namespace=namespace, data=[event, *arguments]).encode()
        if not isinstance(encoded, str):
            raise ValueError("binary payloads are not supported")
        return encoded

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
        if event == USER_UPDATED_EVENT:
            self.profile_changed(message_id(data))
        if callback is not None:  # every recipient needs a packet with its own ack id
            await super().emit(event, data, namespace, room=target, skip_sid=skip_sid, callback=callback)
            return
        await self.deliver(namespace, target, skipped_sids(skip_sid), event, self.encode(event, data, namespace), data)

    async def deliver(
        self,
        namespace: str,
        target: Any,
        skip: Iterable[str],
        event: str,
        encoded: str,
        payload: Any = None,
        read_payload: Callable[[], Any] | None = None,
    ) -> None:
        """Send one encoded event to this worker's sockets in `target` (a room, a list of rooms, or None for
        everyone), past the gate and the session ends; `read_payload` decodes it when the gate needs it."""
        skipped = set(skip)
        recipients = [(sid, eio_sid) for sid, eio_sid in self.get_participants(namespace, target) if sid not in skipped]
        if not recipients:
            return
        if event in HELD_EVENTS and self.held:
            gated = [sid for sid, _eio_sid in recipients if sid in self.held]
            if gated:
                if payload is None and read_payload is not None:
                    payload = read_payload()
                for sid in gated:
                    self.held[sid].append((event, payload))
                recipients = [(sid, eio_sid) for sid, eio_sid in recipients if sid not in self.held]
        message = engineio_packet.Packet(engineio_packet.MESSAGE, encoded)
        if len(recipients) == 1:
            await self.server._send_eio_packet(recipients[0][1], message)
        elif recipients:
            await asyncio.gather(*(self.server._send_eio_packet(eio_sid, message) for _sid, eio_sid in recipients))
        if event == SESSION_ENDED_EVENT:
            for sid, _eio_sid in recipients:
                await self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
