"""The Socket.IO half of the `ceiling` scenario: a bare python-socketio server and nothing else.

A client connects with `auth={"user": <id>}` and joins `user:<id>`; its `send` event
`{recipient_id, content, client_id}` is emitted as a `message` to the author's and the recipient's
rooms and acknowledged, as confab does, minus authentication, validation and the database.
Served by uvicorn like confab: `uvicorn bench.bare_socketio:app`.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import socketio

from confab.realtime import codec

sio = socketio.AsyncServer(async_mode="asgi", json=codec, ping_interval=20, ping_timeout=20)
app = socketio.ASGIApp(sio, socketio_path="socket.io")
_ids = itertools.count(1)


@sio.event
async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
    user_id = int(auth["user"])
    await sio.save_session(sid, {"user_id": user_id})
    await sio.enter_room(sid, f"user:{user_id}")


@sio.on("send")
async def send(sid: str, data: dict[str, Any]) -> dict[str, Any]:
    author_id = (await sio.get_session(sid))["user_id"]
    recipient_id = int(data["recipient_id"])
    message = {
        "id": next(_ids),
        "content": data["content"],
        "date": datetime.now(UTC).isoformat(),
        "author": {"id": author_id, "name": "", "nickname": ""},
        "recipient": {"id": recipient_id, "name": "", "nickname": ""},
        "room_id": None,
        "client_id": data.get("client_id"),
    }
    await sio.emit("message", message, to=[f"user:{author_id}", f"user:{recipient_id}"])
    return {"ok": True, "message": message, "created": True}
