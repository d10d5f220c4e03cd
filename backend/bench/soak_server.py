"""confab's served ASGI app plus one read-only route, `/soak/stats`, for the soak test only.

The soak needs the server's live asyncio task count, which no outside view of a process shows. This
module is what the soak runs under uvicorn; the product's own app (`confab.asgi:app`) has no such route.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
from typing import Any

from confab.asgi import app as confab_app

STATS_PATH = "/soak/stats"


def stats() -> dict[str, int]:
    return {
        "tasks": len(asyncio.all_tasks()),
        "open_files": len(os.listdir("/proc/self/fd")),
        "gc_objects": len(gc.get_objects()),
    }


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] == STATS_PATH:
        body = json.dumps(stats()).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
        return
    await confab_app(scope, receive, send)
