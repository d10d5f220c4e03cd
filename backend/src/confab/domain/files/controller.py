"""Files over HTTP: upload one (multipart, streamed), and download it or its thumbnail by signed link."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Stream
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_206_PARTIAL_CONTENT

from confab.domain.accounts.schemas import User
from confab.domain.files import examples
from confab.domain.files.images import IMAGE_TYPES
from confab.domain.files.links import Variant
from confab.domain.files.schemas import File
from confab.domain.files.service import FileService
from confab.errors import RangeNotSatisfiable
from confab.openapi import FileDownloadOperation, MultipartUploadOperation, answer, error_responses
from confab.schemas import CURSOR_BOUNDS, ID_BOUNDS, MAX_ID

FilePathId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="A file id.", schema_extra=ID_BOUNDS)]
Expires = Annotated[
    int,
    Parameter(
        ge=0, le=MAX_ID, description="From the signed link: when it expires (Unix time).", schema_extra=CURSOR_BOUNDS
    ),
]
Signature = Annotated[
    str, Parameter(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$", description="From the signed link.")
]
SINGLE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# An uploaded HTML or SVG file must never run as a page of the API's origin, whoever opens its link.
DOWNLOAD_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one range `bytes=a-b`, `bytes=a-` or `bytes=-n` asks for, as [start, end); None for the whole file.

    Several ranges at once are answered with the whole file, as RFC 9110 allows.
    """
    if not header:
        return None
    match = SINGLE_RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        start, end = max(size - int(last), 0), size
    else:
        start, end = int(first), min(int(last) + 1, size) if last else size
    if start >= size or start >= end:
        raise RangeNotSatisfiable(f"the file has {size} bytes", headers={"Content-Range": f"bytes */{size}"})
    return start, end


def content_disposition(name: str, inline: bool) -> str:
    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


class FileController(Controller):
    path = "/api/files"
    tags = ["files"]

    @post(
        "",
        summary="Upload a file",
        description="A multipart/form-data body with one field `file`. The bytes are streamed to storage; "
        "`content_type` is sniffed from them (the client's label is ignored), and PNG, JPEG, GIF and WebP "
        "images get `width`, `height` and a thumbnail (longest side 400 px, upright, without metadata). "
        "Attach the file to one message with `file_ids` within 24 hours, or it is deleted. Larger than "
        "`MAX_UPLOAD_BYTES` (25 MiB by default) or beyond the caller's `UPLOAD_QUOTA_BYTES`: 413, nothing kept.",
        responses={
            **answer(201, File, "The stored file, with signed links.", examples.UPLOADED, examples.UPLOADED_DOWNLOAD),
            **error_responses(
                400,
                401,
                413,
                415,
                details={
                    400: "the file is empty",
                    413: "the file is larger than the limit of 26214400 bytes",
                    415: "send the file as multipart/form-data with one field named `file`",
                },
            ),
        },
        request_max_body_size=None,
        operation_class=MultipartUploadOperation,
    )
    async def upload(self, request: Request[User, Token, Any], files: FileService) -> Response[File]:
        length = request.headers.get("content-length")
        stored = await files.upload(
            request.user.id,
            request.stream(),
            request.headers.get("content-type"),
            int(length) if length and length.isdigit() else None,
        )
        return Response(stored, status_code=201)

    @get(
        "/{file_id:int}/{variant:str}",
        summary="Download a file or its thumbnail",
        description="Follow `url` (`variant` `content`) or `thumbnail_url` (`thumbnail`) from a `File`: the link is "
        "signed, so no token is needed, and it expires (403 once it has, or when it was altered). Images are "
        "shown inline, everything else is a download; answers carry `X-Content-Type-Options: nosniff` and "
        "`Content-Security-Policy: sandbox`. `Range: bytes=a-b` answers 206 with that part.",
        responses={**error_responses(400, 403, 404, 416)},
        exclude_from_auth=True,
        operation_class=FileDownloadOperation,
    )
    async def download(
        self,
        file_id: FilePathId,
        variant: Annotated[str, Parameter(pattern=r"^(content|thumbnail)$", description="`content` or `thumbnail`.")],
        expires: Expires,
        signature: Signature,
        request: Request[Any, Any, Any],
        files: FileService,
    ) -> Stream:
        which: Variant = "thumbnail" if variant == "thumbnail" else "content"
        key, size, content_type, name = await files.download(file_id, which, expires, signature)
        wanted = byte_range(request.headers.get("range"), size)
        start, end = wanted or (0, size)
        headers = {
            "Content-Disposition": content_disposition(name, inline=content_type in IMAGE_TYPES),
            "Content-Security-Policy": DOWNLOAD_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Accept-Ranges": "bytes",
            "Content-Length": str(end - start),
            "Cache-Control": "private, max-age=3600",
        }
        if wanted is not None:
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        return Stream(
            files.storage.stream(key, start, end),
            media_type=content_type,
            headers=headers,
            status_code=HTTP_206_PARTIAL_CONTENT if wanted is not None else HTTP_200_OK,
        )
