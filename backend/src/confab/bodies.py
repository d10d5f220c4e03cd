"""Strict JSON bodies: a value must have the JSON type the contract gives it, as on the Socket.IO side."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import ValidationException
from litestar.handlers.base import BaseRouteHandler

from confab.schemas import validation_problem


def _integral_floats_as_ints(value: Any) -> Any:
    """JSON Schema counts `2.0` as an integer; msgspec's strict mode does not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    return value


async def strict_json_body(connection: ASGIConnection[Any, Any, Any, Any], route_handler: BaseRouteHandler) -> None:
    """Refuse a body that only Litestar's lenient decoding accepts (`"2"` for an integer, say).

    Litestar decodes bodies with msgspec's `strict=False`, which openapi.json does not promise and
    Socket.IO payloads do not get. Bodies that fail both ways are left to the normal decoding (after
    the route's other guards, such as the rate limits), which reports them the usual way.
    """
    data = route_handler.parsed_fn_signature.parameters.get("data")
    if data is None or not hasattr(connection, "body"):
        return
    body = await connection.body()
    if not body:
        return
    try:
        msgspec.json.decode(body, type=data.annotation, strict=True)
        return  # the usual case, settled by one typed decode that stops at the first wrong token
    except (msgspec.ValidationError, msgspec.DecodeError):
        pass
    try:
        msgspec.convert(_integral_floats_as_ints(msgspec.json.decode(body)), type=data.annotation, strict=True)
    except msgspec.ValidationError as strict_error:
        try:
            msgspec.json.decode(body, type=data.annotation, strict=False)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return
        raise ValidationException(detail=str(strict_error), extra=[validation_problem(strict_error)]) from strict_error
    except msgspec.DecodeError:
        return  # malformed: the normal decoding refuses it the usual way
    except RecursionError as error:
        # Litestar's own decoding would hit the same limit and answer 500; no body of ours nests deeply.
        raise ValidationException(detail="the JSON body is nested too deeply") from error
