"""Domain errors that map to HTTP statuses; the REST layer and the Socket.IO acks render them alike."""

from litestar.exceptions import HTTPException
from litestar.status_codes import (
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)


class Forbidden(HTTPException):
    status_code = HTTP_403_FORBIDDEN


class NotFound(HTTPException):
    status_code = HTTP_404_NOT_FOUND


class Conflict(HTTPException):
    status_code = HTTP_409_CONFLICT


class UnsupportedMediaType(HTTPException):
    status_code = HTTP_415_UNSUPPORTED_MEDIA_TYPE
