"""Socket.IO long-polling POSTs whose body is not UTF-8 get a 400, as any other bad request body does.

Engine.IO decodes a polling body itself and, when that fails, logs a traceback, answers 200 and drops
every packet in it: the client believes its events arrived, and waits for acks that never come.
"""

from __future__ import annotations

import json
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send


class PollingBodies:
    """Reads a polling POST's body (Engine.IO reads all of it anyway, up to the same limit) and refuses
    it when it is not UTF-8; the session lives on. Other requests pass through untouched."""

    def __init__(self, app: ASGIApp | Any, socketio_path: str, max_bytes: int) -> None:
        self.app = app
        self.prefix = f"/{socketio_path.strip('/')}/"
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        length = next((value for name, value in scope["headers"] if name == b"content-length"), b"")
        if not length.isdigit() or int(length) > self.max_bytes:
            await self.app(scope, receive, send)  # Engine.IO refuses it by its length
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            body.decode()
        except UnicodeDecodeError as error:
            await refuse(send, f"the payload is not valid UTF-8 (byte {error.start}); nothing in it was read")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def refuse(send: Send, detail: str) -> None:
    body = json.dumps({"status_code": 400, "detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})
