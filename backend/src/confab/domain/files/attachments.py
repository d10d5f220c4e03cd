"""Files as parts of messages: which uploads are avatars, listing a page's files, and removing them.

Attaching uploads to a message being sent is the group commit's (confab.domain.messages.group_commit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import bindparam, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.accounts.models import UserModel
from confab.domain.files.links import FileLinks
from confab.domain.files.models import FileModel
from confab.domain.files.schemas import File, to_file

# An avatar is an upload never attached to a message, and must stay one (PUT /api/me/avatar).
IS_AVATAR = exists().where(UserModel.avatar_file_id == FileModel.id)
_files = FileModel.__table__
# A Core select built once: the ORM's entity loading and a statement built per call cost more than the query.
FILES_OF_MESSAGES = (
    select(_files).where(_files.c.message_id.in_(bindparam("message_ids", expanding=True))).order_by(_files.c.id)
)


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
