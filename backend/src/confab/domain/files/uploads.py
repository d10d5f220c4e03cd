"""Reading one file out of a streamed multipart/form-data body, chunk by chunk, without buffering it."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator

from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from confab.domain.files.images import SNIFF_BYTES
from confab.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

FIELD = "file"


def boundary_of(content_type: str | None) -> str:
    media_type, options = parse_options_header(content_type or "")
    if media_type != "multipart/form-data" or not options.get("boundary"):
        raise UnsupportedMediaType("send the file as multipart/form-data with one field named `file`")
    return options["boundary"]


def clean_name(raw: str) -> str:
    """The file's own name without any directory part or control characters, at most 255 characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or "file"


class MultipartUpload:
    """The `file` field of a multipart body as an async iterator of chunks; other fields are skipped.

    It counts the bytes as they pass and stops with 413 past `limit`, and keeps the first few KiB for sniffing.
    """

    def __init__(self, body: AsyncIterator[bytes], content_type: str | None, limit: int) -> None:
        self.parser = PushMultipartParser(boundary_of(content_type), max_header_size=4096, max_header_count=8)
        self.body = body
        self.limit = limit
        self.size = 0
        self.head = b""
        self.name: str | None = None
        self._chunks = self._file_chunks()
        self._first: bytes | None = None

    async def start(self) -> None:
        """Read up to the file's first bytes: a body without a `file` field, or with an empty one, is a 400."""
        self._first = await anext(self._chunks, None)
        if self.name is None:
            raise BadRequest("the body has no `file` field with a filename")
        if self._first is None:
            raise BadRequest("the file is empty")

    async def chunks(self) -> AsyncIterator[bytes]:
        if self._first is not None:
            yield self._first
        async for chunk in self._chunks:
            yield chunk

    async def _file_chunks(self) -> AsyncIterator[bytes]:
        inside_file = finished = False
        try:
            async for data in self.body:
                if not data:  # an empty chunk would tell the parser the body ended
                    continue
                for event in self.parser.parse(data):
                    if isinstance(event, MultipartSegment):
                        inside_file = event.name == FIELD and event.filename is not None and not finished
                        if inside_file:
                            self.name = clean_name(event.filename or "")
                    elif event is None:
                        finished = finished or inside_file
                        inside_file = False
                    elif inside_file:
                        chunk = bytes(event)
                        self.size += len(chunk)
                        if self.size > self.limit:
                            raise PayloadTooLarge(f"the file is larger than the limit of {self.limit} bytes")
                        if len(self.head) < SNIFF_BYTES:
                            self.head += chunk[: SNIFF_BYTES - len(self.head)]
                        yield chunk
            for _event in self.parser.parse(b""):
                pass
            self.parser.close()
        except MultipartError as error:
            raise BadRequest(f"the multipart body is malformed: {error}") from error
        if self.name is not None and not finished:
            raise BadRequest("the multipart body ended inside the file")
