"""File rules: uploads (streamed, sniffed, size- and quota-checked), downloads, and the orphan sweep."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, NamedTuple

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import bindparam, delete, func, insert, select

from confab.db.types import utc_now
from confab.domain.files.attachments import IS_AVATAR
from confab.domain.files.images import IMAGE_TYPES, sniff, thumbnail
from confab.domain.files.links import FileLinks, Variant
from confab.domain.files.models import FileModel
from confab.domain.files.schemas import File, to_file
from confab.domain.files.storage import FileStorage
from confab.domain.files.uploads import MultipartUpload
from confab.errors import NotFound, PayloadTooLarge
from confab.settings import Settings

logger = logging.getLogger("confab.files")

# Room for the multipart framing around the file (boundaries, part headers) in a body's Content-Length.
MULTIPART_OVERHEAD = 16 * 1024

# Core statements built once: the ORM's add, flush and refresh (a second SELECT of the new row) and a
# statement built per call were most of what a small upload cost besides the request itself.
_files = FileModel.__table__
USED_BYTES = select(func.coalesce(func.sum(_files.c.size), 0)).where(_files.c.owner_id == bindparam("owner_id"))
INSERT_FILE = insert(_files).returning(_files)


class Download(NamedTuple):
    key: str
    size: int
    content_type: str
    name: str


class FileService(SQLAlchemyAsyncRepositoryService[FileModel]):
    class Repo(SQLAlchemyAsyncRepository[FileModel]):
        model_type = FileModel

    repository_type = Repo

    def __init__(self, settings: Settings, storage: FileStorage, links: FileLinks, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.storage = storage
        self.links = links

    async def _used_bytes(self, owner_id: int) -> int:
        return await self.repository.session.scalar(USED_BYTES, {"owner_id": owner_id}) or 0

    def _over_quota(self, used: int, adding: int) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"this upload would exceed your storage quota of {self.settings.upload_quota_bytes} bytes "
            f"({used} used, {adding} more): delete messages with files to make room"
        )

    async def upload(
        self, owner_id: int, body: AsyncIterator[bytes], content_type: str | None, content_length: int | None
    ) -> File:
        """Stream the body's `file` field to storage, then record it. Refused uploads leave nothing behind."""
        limit = self.settings.max_upload_bytes
        upload = MultipartUpload(body, content_type, limit)
        if content_length is not None and content_length > limit + MULTIPART_OVERHEAD:
            raise PayloadTooLarge(f"the file is larger than the limit of {limit} bytes")
        used = await self._used_bytes(owner_id)
        quota = self.settings.upload_quota_bytes
        if content_length is not None and used + content_length - MULTIPART_OVERHEAD > quota:
            raise self._over_quota(used, content_length)
        await self.repository.session.rollback()  # no transaction stays open while the bytes arrive
        await upload.start()
        key = uuid.uuid4().hex
        keys = [key]
        try:
            await self.storage.save(key, upload.chunks(), "application/octet-stream")
            if used + upload.size > quota:
                raise self._over_quota(used, upload.size)
            detected = sniff(upload.head)
            width = height = None
            thumbnail_key = None
            if detected in IMAGE_TYPES:
                small = await asyncio.to_thread(thumbnail, await self.storage.read(key))
                if small is None:
                    detected = "application/octet-stream"
                else:
                    width, height = small.width, small.height
                    thumbnail_key = f"{key}.thumbnail.{'png' if small.content_type == 'image/png' else 'jpg'}"
                    keys.append(thumbnail_key)
                    await self.storage.save(thumbnail_key, _once(small.data), small.content_type)
            session = self.repository.session
            row = (
                await session.execute(
                    INSERT_FILE,
                    {
                        "owner_id": owner_id,
                        "name": upload.name or "file",
                        "size": upload.size,
                        "content_type": detected,
                        "storage_key": key,
                        "width": width,
                        "height": height,
                        "thumbnail_key": thumbnail_key,
                        "created_at": utc_now(),
                    },
                )
            ).one()
            await session.commit()
        except BaseException:
            await self.storage.delete(keys)
            raise
        return to_file(row, self.links)

    async def download(self, file_id: int, variant: Variant, expires: int, signature: str) -> Download:
        """What a signed link names, or 403 (bad or expired signature) / 404 (deleted since)."""
        self.links.check(file_id, variant, expires, signature)
        row = await self.repository.get_one_or_none(id=file_id)
        if row is None or (variant == "thumbnail" and row.thumbnail_key is None):
            raise NotFound(f"no file with id {file_id}")
        if variant == "content":
            found = Download(row.storage_key, row.size, row.content_type, row.name)
        else:
            key = row.thumbnail_key or ""
            thumbnail_type = "image/png" if key.endswith(".png") else "image/jpeg"
            found = Download(key, 0, thumbnail_type, f"thumbnail-{row.name}")
        await self.repository.session.rollback()  # nothing stays open while the bytes go out
        if variant == "thumbnail":
            found = found._replace(size=await self.storage.size(found.key))
        return found

    async def sweep_orphans(self, older_than: timedelta) -> int:
        """Delete uploads never attached to a message within `older_than` (avatars aside); how many were deleted."""
        session = self.repository.session
        rows = (
            await session.execute(
                delete(FileModel)
                .where(FileModel.message_id.is_(None), FileModel.created_at < utc_now() - older_than, ~IS_AVATAR)
                .returning(FileModel.storage_key, FileModel.thumbnail_key)
            )
        ).all()
        await session.commit()
        await self.storage.delete([key for row in rows for key in (row.storage_key, row.thumbnail_key) if key])
        return len(rows)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data
