"""Files as parts of messages: attaching uploads to a message being sent, listing them, and removing them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.files.links import FileLinks
from confab.domain.files.models import FileModel
from confab.domain.files.schemas import File, to_file
from confab.errors import Conflict, NotFound

_files = FileModel.__table__
# A Core select built once: the ORM's entity loading and a statement built per call cost more than the query.
FILES_OF_MESSAGES = (
    select(_files).where(_files.c.message_id.in_(bindparam("message_ids", expanding=True))).order_by(_files.c.id)
)


async def attach(session: AsyncSession, owner_id: int, file_ids: Sequence[int], message_id: int) -> None:
    """Attach the owner's unattached uploads to the message, in the caller's transaction; all or none.

    A file that does not exist or is someone else's is a 404 (ids say nothing about other people's
    uploads); one already attached is a 409. The caller rolls back on either.
    """
    wanted = list(dict.fromkeys(file_ids))
    rows = (
        await session.execute(
            select(FileModel.id, FileModel.message_id).where(FileModel.id.in_(wanted), FileModel.owner_id == owner_id)
        )
    ).all()
    found = {row.id: row.message_id for row in rows}
    for file_id in wanted:
        if file_id not in found:
            raise NotFound(f"no file with id {file_id}")
        if found[file_id] is not None:
            raise Conflict(f"file {file_id} is already attached to a message; upload it again to send it twice")
    claimed = await session.execute(
        update(FileModel)
        .where(FileModel.id.in_(wanted), FileModel.owner_id == owner_id, FileModel.message_id.is_(None))
        .values(message_id=message_id)
    )
    if claimed.rowcount != len(wanted):  # another send took one of them in between
        raise Conflict("a file was attached to another message meanwhile")


async def files_by_message(
    session: AsyncSession, message_ids: Sequence[int], links: FileLinks
) -> dict[int, list[File]]:
    """Each message's files, oldest upload first, with freshly signed links; one query for the whole page."""
    if not message_ids:
        return {}
    rows = await session.execute(FILES_OF_MESSAGES, {"message_ids": list(message_ids)})
    listed: dict[int, list[File]] = defaultdict(list)
    for row in rows:
        listed[row.message_id or 0].append(to_file(row, links))
    return listed


async def detach_all(session: AsyncSession, message_id: int) -> list[str]:
    """Remove the message's file rows in the caller's transaction; the storage keys to delete after commit."""
    rows = (
        await session.execute(
            delete(FileModel)
            .where(FileModel.message_id == message_id)
            .returning(FileModel.storage_key, FileModel.thumbnail_key)
        )
    ).all()
    return [key for row in rows for key in (row.storage_key, row.thumbnail_key) if key]
