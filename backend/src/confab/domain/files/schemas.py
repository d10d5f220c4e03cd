"""File bodies: what an upload answers and what a message lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from confab.schemas import Id, Schema

if TYPE_CHECKING:
    from sqlalchemy import Row

    from confab.domain.files.links import FileLinks
    from confab.domain.files.models import FileModel

FileIds = Annotated[
    list[Id],
    msgspec.Meta(
        min_length=1,
        max_length=10,
        description="1 to 10 ids of files the caller uploaded (`POST /api/files`) and has not attached yet.",
        examples=[[7]],
    ),
]


class File(Schema):
    """An uploaded file. `url` and `thumbnail_url` are signed and expire (one hour by default): use them as
    they are, without an `Authorization` header; a message read again carries fresh ones."""

    id: Id
    name: str
    size: int
    content_type: Annotated[str, msgspec.Meta(description="Sniffed from the bytes, not taken from the upload.")]
    url: str
    width: int | None = None
    height: int | None = None
    thumbnail_url: str | None = None


def to_file(row: FileModel | Row[Any], links: FileLinks) -> File:
    """The file as answered, from its ORM row or a Core row of the `files` table."""
    return File(
        id=row.id,
        name=row.name,
        size=row.size,
        content_type=row.content_type,
        url=links.url(row.id, "content"),
        width=row.width,
        height=row.height,
        thumbnail_url=links.url(row.id, "thumbnail") if row.thumbnail_key else None,
    )
