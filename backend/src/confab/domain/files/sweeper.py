"""The orphan sweep: uploads never attached to a message are deleted 24 hours after they were made.

Every worker runs it every `ORPHAN_SWEEP_INTERVAL_SECONDS` (10 minutes by default); the delete is one
statement, so workers sweeping at once delete each file once, and storage deletes of objects already gone
are ignored.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from confab.domain.files.service import FileService
from confab.settings import Settings

if TYPE_CHECKING:
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig

    from confab.realtime.hub import RealtimeHub

logger = logging.getLogger("confab.files")


async def sweep_orphans(settings: Settings, database_config: SQLAlchemyAsyncConfig, hub: RealtimeHub) -> int:
    async with database_config.get_session() as session:
        files = FileService(session=session, settings=settings, storage=hub.file_storage, links=hub.file_links)
        return await files.sweep_orphans(timedelta(seconds=settings.orphan_file_lifetime_seconds))


async def sweep_orphans_periodically(
    settings: Settings, database_config: SQLAlchemyAsyncConfig, hub: RealtimeHub
) -> None:
    while True:
        try:
            swept = await sweep_orphans(settings, database_config, hub)
            if swept:
                logger.info("deleted %d uploads never attached to a message", swept)
        except Exception:
            logger.exception("the orphan upload sweep failed; it runs again later")
        await asyncio.sleep(settings.orphan_sweep_interval_seconds)
