"""Socket.IO client managers that add two things to local delivery, on every worker.

- Ending sessions: a `session_ended` event is delivered and then its recipients are disconnected,
  so logging out or changing a password closes the right sockets wherever they are connected.
- Profile changes: a `user_updated` event makes the worker forget that user's cached profile before it
  delivers the event to any socket, so whoever has seen the change reads the new profile on any worker.
- A replay gate for the catch-up right after a handshake: while a socket replays what it missed,
  live `message` and `message_updated` events addressed to it are held back, then delivered after
  the replay minus those the replay already contained (in the same or a later state), so nothing is
  lost and nothing arrives twice.

Both sit in the manager's local delivery step, which the in-process manager and the Redis manager
(for events published by other workers) alike go through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import socketio

MESSAGE_EVENT = "message"
MESSAGE_UPDATED_EVENT = "message_updated"
HELD_EVENTS = frozenset({MESSAGE_EVENT, MESSAGE_UPDATED_EVENT})
SESSION_ENDED_EVENT = "session_ended"
RELAY_PROBE_EVENT = "relay_probe"
USER_UPDATED_EVENT = "user_updated"


def message_id(payload: Any) -> int:
    return payload["id"] if isinstance(payload, dict) else payload.id


def message_seq(payload: Any) -> int:
    """A pushed message's place in the change order (payloads from other workers arrive as dicts)."""
    return payload["seq"] if isinstance(payload, dict) else payload.seq


class DeliveryControl(socketio.AsyncManager):
    """Holds live messages for replaying sockets and closes ended sessions; see the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held: dict[str, list[tuple[str, Any]]] = {}
        # Called with a user id before a `user_updated` event is delivered here; with None to forget every profile.
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

    async def emit(
        self, event: str, data: Any, namespace: str, room: Any = None, skip_sid: Any = None, **kwargs: Any
    ) -> None:
        target = kwargs.pop("to", None) or room
        if event == USER_UPDATED_EVENT:
            self.profile_changed(message_id(data))
        if event in HELD_EVENTS and self.held:
            skipped = list(skip_sid) if isinstance(skip_sid, list) else ([skip_sid] if skip_sid else [])
            for sid, _eio_sid in self.get_participants(namespace, target):
                if sid in self.held and sid not in skipped:
                    self.held[sid].append((event, data))
                    skipped.append(sid)
            skip_sid = skipped
        ending = list(self.get_participants(namespace, target)) if event == SESSION_ENDED_EVENT else []
        await super().emit(event, data, namespace, room=target, skip_sid=skip_sid, **kwargs)
        for sid, _eio_sid in ending:
            await self.server.disconnect(sid, namespace=namespace, ignore_queue=True)


class RelayProbes(DeliveryControl):
    """Takes the relay's probes (see `realtime/relay_watch.py`) out of local delivery and hands them to
    whoever watches the relay; they are addressed to no socket."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.probe_arrived: Callable[[Any], None] = lambda _token: None

    async def emit(self, event: str, data: Any, namespace: str, **kwargs: Any) -> None:
        if event == RELAY_PROBE_EVENT:
            self.probe_arrived(data)
            return
        await super().emit(event, data, namespace, **kwargs)


class GatedRedisManager(socketio.AsyncRedisManager, RelayProbes):
    """The Redis manager: events from every worker reach this worker's sockets through the gate."""
