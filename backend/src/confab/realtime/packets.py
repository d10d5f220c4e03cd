"""Socket.IO packets whose payload cannot be read still reach a handler, so the client gets a 400 ack.

python-socketio drops such a packet with an error in the log: a client waiting for its ack waits until
it times out and never learns why. This packet class turns an unreadable event (malformed or ambiguous
JSON, nesting too deep, or not a list that starts with an event name) into the `UNREADABLE_EVENT` event,
carrying the reason, under the packet's own ack id.
"""

from __future__ import annotations

from typing import Any

from socketio import packet

from confab.realtime import codec

UNREADABLE_EVENT = "unreadable payload"


class Unreadable(ValueError):
    """Why an event's payload could not be read; only the packet decoder makes one."""


class CheckedPacket(packet.Packet):
    json = codec

    def decode(self, encoded_packet: Any) -> int:
        try:
            attachments = super().decode(encoded_packet)
        except (ValueError, RecursionError) as error:
            # The header (type, namespace, ack id) was read before the JSON that failed.
            self.data = [UNREADABLE_EVENT, Unreadable(str(error))] if self._is_event() else None
            return 0
        if self._is_event() and not (isinstance(self.data, list) and self.data and isinstance(self.data[0], str)):
            self.data = [UNREADABLE_EVENT, Unreadable("an event is a JSON array that starts with its name")]
        return attachments

    def _is_event(self) -> bool:
        return self.packet_type in (packet.EVENT, packet.BINARY_EVENT)
