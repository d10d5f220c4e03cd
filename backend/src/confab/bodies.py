"""Strict JSON bodies: UTF-8 JSON with unique keys, and each value of the JSON type the contract gives it, as
on the Socket.IO side."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from confab.errors import UnsupportedMediaType
from confab.schemas import validation_problem
from confab.untrusted_json import UnreadableJSON, refuse_ambiguous_json


def _integral_floats_as_ints(value: Any) -> Any:
    """JSON Schema counts `2.0` as an integer; msgspec's strict mode does not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    return value


def _refuse_other_media_types(content_type: str | None) -> None:
    """A body labelled as anything but UTF-8 JSON is a 415: guessing what a form or text body meant is how
    a proxy and the server end up reading different requests. No label at all is read as JSON."""
    if content_type is None:
        return
    media_type, *parameters = (part.strip().lower() for part in content_type.split(";"))
    is_json = media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
    charsets = [value.strip('"') for name, _, value in (p.partition("=") for p in parameters) if name == "charset"]
    if not is_json or any(charset not in ("utf-8", "utf8") for charset in charsets):
        raise UnsupportedMediaType(
            f"send the body as JSON in UTF-8 (Content-Type: application/json), not {content_type}"
        )


async def strict_json_body(connection: Request[Any, Any, Any]) -> None:
    """Refuse a body that only a lenient or guessing decoder would accept, before any of it is used.

    The app's `before_request` hook, not a guard: Litestar copies the route handler for every guard it runs,
    which cost more than this check itself; the hook runs after the guards and before the body is decoded.

    That is: a body not labelled JSON (415); bytes that are not UTF-8, duplicate keys, nesting deeper than
    the decoders can follow (400, see `refuse_ambiguous_json`); and a value that only Litestar's lenient
    decoding (msgspec's `strict=False`, `"2"` for an integer) accepts, which openapi.json does not promise
    and Socket.IO payloads do not get. Bodies that fail both ways are left to the normal decoding (after the
    route's guards, such as the rate limits), which reports them the usual way.
    """
    data = connection.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return
    _refuse_other_media_types(connection.headers.get("content-type"))
    body = await connection.body()
    if not body:
        return
    try:
        refuse_ambiguous_json(body)
    except UnreadableJSON as error:
        raise ValidationException(detail=str(error)) from error
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
        # Within the decoders' reach, but not the walk above's; no body of ours nests deeply.
        raise ValidationException(detail="the JSON body is nested too deeply") from error
