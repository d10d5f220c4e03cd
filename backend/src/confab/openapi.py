"""Helpers that keep the published contract complete and exact: every answer a route gives is documented, with
examples; public routes say they need no token; closed bodies say they are closed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# Litestar exports no public base for a struct schema plugin; this one is pinned by `litestar<3`.
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example, Operation

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.openapi.spec import Schema
    from litestar.typing import FieldDefinition

from confab.schemas import FORMAT_HINTS, ErrorBody

_ERROR_MEANINGS = {
    400: "The request is malformed or fails validation; `detail` names the field.",
    401: "No bearer token, or it is invalid, expired or revoked.",
    403: "The caller may not do this.",
    404: "No such resource.",
    409: "Conflicts with existing data.",
    413: "The request body is larger than the configured limit.",
    416: "The requested byte range lies outside the file.",
    415: "The body is labelled as something other than JSON in UTF-8 (`Content-Type: application/json`).",
    422: "The request is well-formed but cannot be processed.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "A dependency (the database) is not available.",
}

_NICKNAME_RULE = FORMAT_HINTS["nickname"]
_ERROR_EXAMPLES = {
    400: ErrorBody(
        status_code=400,
        detail=f"nickname: {_NICKNAME_RULE}",
        extra=[{"key": "nickname", "message": _NICKNAME_RULE, "source": "body"}],
    ),
    401: ErrorBody(status_code=401, detail="No JWT token found in request header"),
    403: ErrorBody(status_code=403, detail="you are not a member of this room"),
    404: ErrorBody(status_code=404, detail="no user with id 42"),
    409: ErrorBody(status_code=409, detail="nickname 'alice' is already taken"),
    413: ErrorBody(status_code=413, detail="Request Entity Too Large"),
    415: ErrorBody(
        status_code=415,
        detail="send the body as JSON in UTF-8 (Content-Type: application/json), not text/plain",
    ),
    416: ErrorBody(status_code=416, detail="the file has 1834 bytes"),
    422: ErrorBody(status_code=422, detail="this room has no members left"),
    429: ErrorBody(status_code=429, detail="too many requests"),
    503: ErrorBody(status_code=503, detail="the database does not answer"),
}


def error_responses(*status_codes: int, details: dict[int, str] | None = None) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the given error statuses, all with the `ErrorBody` shape and an example; `details`
    replaces an example's `detail` with the route's own words."""
    specs = {}
    for code in status_codes:
        example = _ERROR_EXAMPLES[code]
        if details and code in details:
            example = ErrorBody(status_code=code, detail=details[code])
        specs[code] = ResponseSpec(
            data_container=ErrorBody,
            description=_ERROR_MEANINGS[code],
            generate_examples=False,
            examples=[Example(summary=_ERROR_MEANINGS[code], value=example)],
        )
    return specs


def answer(status_code: int, data_container: Any, description: str, *examples: Example) -> dict[int, ResponseSpec]:
    """The OpenAPI entry for a successful answer, described in words and shown by example."""
    return {
        status_code: ResponseSpec(
            data_container=data_container, description=description, generate_examples=False, examples=list(examples)
        )
    }


@dataclass
class PublicOperation(Operation):
    """An operation that needs no token. Litestar drops an empty `security` list, which would leave the
    document-wide bearer requirement in force; this publishes `security: []` explicitly."""

    def to_schema(self) -> dict[str, Any]:
        return {**super().to_schema(), "security": []}


@dataclass
class MultipartUploadOperation(Operation):
    """An operation whose body is multipart/form-data with one binary field `file`. The handler reads the
    stream itself (so the upload is never buffered), which leaves Litestar nothing to describe the body from."""

    def to_schema(self) -> dict[str, Any]:
        schema = super().to_schema()
        schema["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary", "description": "The file."}},
                    },
                    "encoding": {"file": {"contentType": "application/octet-stream"}},
                    "examples": {
                        "screenshot": {
                            "summary": "A PNG screenshot",
                            "value": {"file": "(the bytes of screenshot.png)"},
                        }
                    },
                }
            },
        }
        return schema


@dataclass
class FileDownloadOperation(PublicOperation):
    """A download: the answer is the file's bytes (200, or 206 for a range), which Litestar cannot describe
    from a streamed response."""

    def to_schema(self) -> dict[str, Any]:
        schema = super().to_schema()
        binary = {"schema": {"type": "string", "format": "binary"}, "examples": {"bytes": {"value": "%PDF-1.7 ..."}}}
        headers = {
            "Content-Disposition": {
                "description": "`inline` for PNG, JPEG, GIF and WebP, `attachment` for the rest; the original name.",
                "schema": {"type": "string"},
            },
            "Content-Security-Policy": {"description": "Always starts with `sandbox`.", "schema": {"type": "string"}},
        }
        schema["responses"]["200"] = {
            "description": "The whole file, labelled with its sniffed `Content-Type`.",
            "headers": headers,
            "content": {"application/octet-stream": binary},
        }
        schema["responses"]["206"] = {
            "description": "The part a `Range: bytes=a-b` header asked for, with `Content-Range`.",
            "headers": {**headers, "Content-Range": {"description": "bytes a-b/size", "schema": {"type": "string"}}},
            "content": {"application/octet-stream": binary},
        }
        return schema


NEXT_CURSOR_HEADER = "X-Next-Cursor"


@dataclass
class PagedOperation(Operation):
    """An operation whose 200 answer carries the next page's cursor in `X-Next-Cursor` when there is one.
    Litestar leaves a route's response headers out once its 200 answer is given explicitly (as `answer`
    does), so this publishes the header itself."""

    def to_schema(self) -> dict[str, Any]:
        schema = super().to_schema()
        schema["responses"]["200"].setdefault("headers", {})[NEXT_CURSOR_HEADER] = {
            "description": "Present when another page follows: pass it as `cursor`, with the same parameters.",
            "required": False,
            "schema": {"type": "string"},
        }
        return schema


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """Publishes `additionalProperties: false` for msgspec Structs that refuse unknown fields, so the
    contract says what the server enforces."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if field_definition.type_.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        return schema
