"""Domain errors that map to HTTP statuses; the REST layer and the Socket.IO acks render them alike."""

from litestar.exceptions import HTTPException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
)


class BadRequest(HTTPException):
    """Input that the body schema cannot check, such as a path segment that must be one emoji."""

    status_code = HTTP_400_BAD_REQUEST


class Forbidden(HTTPException):
    status_code = HTTP_403_FORBIDDEN


class NotFound(HTTPException):
    status_code = HTTP_404_NOT_FOUND


class Conflict(HTTPException):
    status_code = HTTP_409_CONFLICT


class UnsupportedMediaType(HTTPException):
    status_code = HTTP_415_UNSUPPORTED_MEDIA_TYPE


class PayloadTooLarge(HTTPException):
    status_code = HTTP_413_REQUEST_ENTITY_TOO_LARGE


class RangeNotSatisfiable(HTTPException):
    status_code = HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE
