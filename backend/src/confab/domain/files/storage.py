"""Where file bytes live: a local directory by default, an S3-compatible bucket when `S3_BUCKET` is set.

Both go through advanced-alchemy's obstore backend (obstore is a binding to Rust's `object_store`, which
signs S3 requests and does multipart uploads itself), so the service never knows which one it talks to.
Uploads are streamed: the bytes pass through in chunks and are never held whole in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import obstore
from advanced_alchemy.types.file_object import FileObject
from advanced_alchemy.types.file_object.backends.obstore import ObstoreBackend
from obstore.store import LocalStore, S3Store

from confab.settings import Settings

# An upload is written in parts, two in flight, so it holds at most two parts in memory whatever its size.
# S3 refuses parts under 5 MiB (but the last); a directory has no minimum, so it gets small parts.
S3_PART_SIZE = 5 * 1024 * 1024
DIRECTORY_PART_SIZE = 512 * 1024
PARTS_IN_FLIGHT = 2


class FileStorage:
    def __init__(self, backend: ObstoreBackend, part_size: int) -> None:
        self.backend = backend
        self.part_size = part_size

    @classmethod
    def from_settings(cls, settings: Settings) -> FileStorage:
        if settings.s3_bucket:
            options: dict[str, object] = {"region": settings.s3_region}
            if settings.s3_endpoint_url:
                options["endpoint"] = settings.s3_endpoint_url
                options["virtual_hosted_style_request"] = False
            if settings.aws_access_key_id and settings.aws_secret_access_key:
                options["access_key_id"] = settings.aws_access_key_id
                options["secret_access_key"] = settings.aws_secret_access_key
            allow_http = bool(settings.s3_endpoint_url and settings.s3_endpoint_url.startswith("http://"))
            store = S3Store(settings.s3_bucket, client_options={"allow_http": allow_http}, **options)  # type: ignore[arg-type]
            return cls(ObstoreBackend(key="confab-files", fs=store), S3_PART_SIZE)
        else:
            directory = Path(settings.upload_dir).resolve()
            directory.mkdir(parents=True, exist_ok=True)
        return cls(ObstoreBackend(key="confab-files", fs=LocalStore(directory)), DIRECTORY_PART_SIZE)

    async def save(self, key: str, chunks: AsyncIterator[bytes], content_type: str) -> None:
        file_object = FileObject(backend=self.backend, filename=key, content_type=content_type)
        await self.backend.save_object_async(
            file_object, chunks, use_multipart=True, chunk_size=self.part_size, max_concurrency=PARTS_IN_FLIGHT
        )

    async def read(self, key: str) -> bytes:
        return await self.backend.get_content_async(key)

    async def size(self, key: str) -> int:
        return (await obstore.head_async(self.backend.fs, key))["size"]

    async def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes `start` to `end` (exclusive), in chunks as the store delivers them."""
        result = await obstore.get_async(self.backend.fs, key, options={"range": (start, end)})
        async for chunk in result.stream(min_chunk_size=256 * 1024):
            yield bytes(chunk)

    async def delete(self, keys: list[str]) -> None:
        """Delete the objects; one already gone is not an error (a sweep and a delete may race)."""
        for key in keys:
            try:
                await self.backend.delete_object_async(key)
            except FileNotFoundError:
                continue
