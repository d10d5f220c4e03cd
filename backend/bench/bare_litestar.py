"""The REST half of the `ceiling` scenario: a bare Litestar `POST /api/messages` beside the bare Socket.IO server.

The same sockets as `bench.bare_socketio` (they join `user:<id>`); the route reads the author's id from
`Authorization: Bearer <id>`, decodes `{recipient_id, content, client_id}` into a msgspec struct, emits
the message to both parties' rooms and answers it with a 201, as confab's route does, minus the token
check, validation rules, middleware and the database. Served by uvicorn: `uvicorn bench.bare_litestar:app`.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import msgspec
import socketio
from litestar import Litestar, Request, Response, post

from bench.bare_socketio import sio

_ids = itertools.count(1)


class Person(msgspec.Struct):
    id: int
    name: str
    nickname: str


class DirectMessage(msgspec.Struct):
    recipient_id: int
    content: str
    client_id: str | None = None


class Sent(msgspec.Struct):
    id: int
    content: str
    date: datetime
    author: Person
    recipient: Person
    room_id: int | None
    client_id: str | None


@post("/api/messages", status_code=201)
async def send(data: DirectMessage, request: Request[Any, Any, Any]) -> Response[Sent]:
    author_id = int(request.headers["authorization"].removeprefix("Bearer "))
    message = Sent(
        id=next(_ids),
        content=data.content,
        date=datetime.now(UTC),
        author=Person(id=author_id, name="", nickname=""),
        recipient=Person(id=data.recipient_id, name="", nickname=""),
        room_id=None,
        client_id=data.client_id,
    )
    await sio.emit("message", msgspec.to_builtins(message), to=[f"user:{author_id}", f"user:{data.recipient_id}"])
    return Response(message, status_code=201)


api = Litestar(route_handlers=[send], openapi_config=None)
app = socketio.ASGIApp(sio, other_asgi_app=api, socketio_path="socket.io")
