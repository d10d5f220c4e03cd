"""Probes and discovery: is the database up, which version runs, where are the docs."""

from __future__ import annotations

import msgspec
from litestar import MediaType, get
from litestar.exceptions import ServiceUnavailableException
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from confab import __version__
from confab.db.outages import RETRY_AFTER_SECONDS
from confab.db.reconnect import retry_if_connection_died
from confab.domain.system import examples
from confab.openapi import PublicOperation, answer, error_responses


class Alive(msgspec.Struct):
    alive: bool


class Version(msgspec.Struct):
    version: str


class ServiceIndex(msgspec.Struct):
    name: str
    version: str
    docs: str
    openapi: str


@get(
    "/db/alive",
    opt={"exclude_from_auth": True},
    tags=["system"],
    summary="Database probe",
    description="200 when the database answers a query, 503 otherwise. Needs no token.",
    responses={**answer(200, Alive, "The database answers.", examples.ALIVE), **error_responses(503)},
    operation_class=PublicOperation,
)
async def database_alive(db_session: AsyncSession) -> Alive:
    try:
        await retry_if_connection_died(db_session, lambda: db_session.execute(text("SELECT 1")))
    except (SQLAlchemyError, OSError) as error:
        raise ServiceUnavailableException(
            "the database does not answer", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        ) from error
    return Alive(alive=True)


@get(
    "/api/version",
    opt={"exclude_from_auth": True},
    tags=["system"],
    summary="Version",
    description="The running confab version. Needs no token.",
    responses=answer(200, Version, "The version.", examples.VERSION),
    operation_class=PublicOperation,
)
async def version() -> Version:
    return Version(version=__version__)


@get(
    "/",
    opt={"exclude_from_auth": True},
    tags=["system"],
    summary="Service index",
    description="What this server is and where its API documentation lives: `docs` is the interactive "
    "documentation (Scalar; Swagger UI at `/schema/swagger`), `openapi` the machine-readable contract. Needs no token.",
    responses=answer(200, ServiceIndex, "Name, version and links.", examples.INDEX),
    media_type=MediaType.JSON,
    operation_class=PublicOperation,
)
async def service_index() -> ServiceIndex:
    return ServiceIndex(name="confab", version=__version__, docs="/schema", openapi="/schema/openapi.json")
