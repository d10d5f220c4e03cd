"""Socket.IO client managers with a replay gate, for the catch-up that runs right after a handshake.

While a socket replays what it missed, live `message` events addressed to it are held back instead of
sent, then delivered after the replay, minus those the replay already contained: nothing is lost,
nothing arrives twice. The gate sits in the manager's local delivery step, which both the in-process
manager and the Redis manager (for events published by other workers) go through.
"""

from __future__ import annotations

from typing import Any

import socketio

MESSAGE_EVENT = "message"


def message_id(payload: Any) -> int:
    return payload["id"] if isinstance(payload, dict) else payload.id


class ReplayGate(socketio.AsyncManager):
    """Holds live messages for sockets that are replaying; see the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held: dict[str, list[Any]] = {}

    def hold(self, sid: str) -> None:
        self.held[sid] = []

    def take_held(self, sid: str) -> list[Any]:
        """What was held back so far (oldest first); the socket stays gated until `release`."""
        payloads, self.held[sid] = self.held.get(sid, []), []
        return sorted(payloads, key=message_id)

    def release(self, sid: str) -> None:
        self.held.pop(sid, None)

    async def send_to_socket(self, sid: str, event: str, payload: Any, namespace: str = "/") -> None:
        """Deliver straight to one local socket, past the gate (the replay itself uses this)."""
        await socketio.AsyncManager.emit(self, event, payload, namespace, to=sid)

    async def emit(
        self, event: str, data: Any, namespace: str, room: Any = None, skip_sid: Any = None, **kwargs: Any
    ) -> None:
        target = kwargs.pop("to", None) or room
        if event == MESSAGE_EVENT and self.held:
            skipped = list(skip_sid) if isinstance(skip_sid, list) else ([skip_sid] if skip_sid else [])
            for sid, _eio_sid in self.get_participants(namespace, target):
                if sid in self.held and sid not in skipped:
                    self.held[sid].append(data)
                    skipped.append(sid)
            skip_sid = skipped
        await super().emit(event, data, namespace, room=target, skip_sid=skip_sid, **kwargs)


class GatedManager(ReplayGate):
    """The in-process manager (one worker, no Redis)."""


class GatedRedisManager(socketio.AsyncRedisManager, ReplayGate):
    """The Redis manager: events from every worker reach this worker's sockets through the gate."""
