"""The REST floor of the `ceiling` scenario: `bench.bare_litestar`'s route plus the least a durable send must do.

The same sockets, table, group commit and events as `bench.floor_socketio`; the route reads the author's id
from `Authorization: Bearer <id>`, Litestar decodes and checks the body into the msgspec Struct, the message
is written and pushed (`message` to both parties, `notify` to the recipient) before the 201 answers it.
Served by uvicorn: `uvicorn bench.floor_litestar:app`.
"""

from __future__ import annotations

from typing import Any

import socketio
from litestar import Litestar, Request, Response, post

from bench.floor_socketio import DirectMessage, Sent, deliver, sio, writer


@post("/api/messages", status_code=201)
async def send(data: DirectMessage, request: Request[Any, Any, Any]) -> Response[Sent]:
    author_id = int(request.headers["authorization"].removeprefix("Bearer "))
    return Response(await deliver(author_id, data), status_code=201)


api = Litestar(route_handlers=[send], openapi_config=None)
app = socketio.ASGIApp(
    sio, other_asgi_app=api, socketio_path="socket.io", on_startup=writer.open, on_shutdown=writer.close
)
