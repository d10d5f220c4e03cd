"""Telling "the database is unreachable" apart from a bug, so an outage answers 503 with a Retry-After.

A PostgreSQL restart shows up as a refused connection, a connection dropped mid-statement, a server
that is still starting or shutting down, or a pool that cannot hand out a connection in time. Clients
should wait and retry (with their `client_id`, a retried send is harmless); a 500 would say the
request itself was at fault.
"""

from __future__ import annotations

import asyncpg
from advanced_alchemy.exceptions import RepositoryError
from advanced_alchemy.extensions.litestar.exception_handler import exception_to_http_response
from litestar import Request, Response
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from confab.schemas import ErrorBody

RETRY_AFTER_SECONDS = 2
OUTAGE_DETAIL = "the database is unavailable right now; retry shortly"

# asyncpg's own words for "no usable connection": the server refused, dropped it, or is starting or stopping.
_CONNECTION_LOST = (
    OSError,  # refused, reset, timed out (TimeoutError is an OSError)
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, crash shutdown, cannot connect now
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
)


def is_database_outage(error: BaseException) -> bool:
    """True when `error` means the database could not be reached, rather than that the request was wrong."""
    if isinstance(error, RepositoryError) and error.__cause__ is not None:
        error = error.__cause__  # advanced-alchemy's repositories rewrap what SQLAlchemy raised
    if isinstance(error, PoolTimeoutError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    # A driver error (DBAPIError), or a reconnect refused while a statement ran on a connection the pool had to
    # replace (a plain StatementError): what the driver raised is inside.
    if isinstance(error, StatementError) and error.orig is not None:
        error = error.orig.__cause__ or error.orig
    return isinstance(error, _CONNECTION_LOST)


def database_error_response(_request: Request, error: Exception) -> Response[ErrorBody]:
    """503 with Retry-After for an outage; any other database error stays the plain 500 it always was.
    (Litestar has logged the exception already.)"""
    if is_database_outage(error):
        return _outage_response()
    return Response(ErrorBody(status_code=500, detail="Internal Server Error"), status_code=500)


def repository_error_response(request: Request, error: RepositoryError) -> Response[object]:
    """advanced-alchemy's own answers to its repositories' errors (404, 409, 500), except an outage: 503."""
    if is_database_outage(error):
        return _outage_response()
    return exception_to_http_response(request, error)


def _outage_response() -> Response[ErrorBody]:
    return Response(
        ErrorBody(status_code=503, detail=OUTAGE_DETAIL),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
