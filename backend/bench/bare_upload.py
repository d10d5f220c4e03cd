"""The floor under `POST /api/files` in the `uploads` scenario: a bare Litestar route that streams the request
body into a new file in `BARE_UPLOAD_DIR` and answers 201, minus confab's token check, multipart parsing,
content sniffing, storage layer, quota and database. What any authenticated upload over HTTP costs at least,
so the scenario can say how far confab is from it, beside the plain disk write.
Served by uvicorn like confab: `uvicorn bench.bare_upload:app`.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, get, post

UPLOAD_DIR = Path(os.environ.get("BARE_UPLOAD_DIR", "."))


@post("/api/files", status_code=201)
async def store(request: Request[Any, Any, Any]) -> dict[str, int]:
    size = 0
    with (UPLOAD_DIR / uuid.uuid4().hex).open("wb") as file:
        async for chunk in request.stream():
            file.write(chunk)
            size += len(chunk)
    return {"size": size}


@get("/alive")
async def alive() -> dict[str, bool]:
    return {"ok": True}


app = Litestar(route_handlers=[store, alive], openapi_config=None, request_max_body_size=None)
