"""Helpers that keep the published contract complete and exact: every error a route can answer is
documented, public routes say they need no token, closed bodies say they are closed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# Litestar exports no public base for a struct schema plugin; this one is pinned by `litestar<3`.
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Operation

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.openapi.spec import Schema
    from litestar.typing import FieldDefinition

from confab.schemas import ErrorBody

_ERROR_MEANINGS = {
    400: "The request is malformed or fails validation; `detail` names the field.",
    401: "No bearer token, or it is invalid, expired or revoked.",
    403: "The caller may not do this.",
    404: "No such resource.",
    409: "Conflicts with existing data.",
    413: "The request body is larger than the configured limit.",
    422: "The request is well-formed but cannot be processed.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "A dependency (the database) is not available.",
}


def error_responses(*status_codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI response entries for the given error statuses, all with the `ErrorBody` shape."""
    return {
        code: ResponseSpec(data_container=ErrorBody, description=_ERROR_MEANINGS[code], generate_examples=False)
        for code in status_codes
    }


@dataclass
class PublicOperation(Operation):
    """An operation that needs no token. Litestar drops an empty `security` list, which would leave the
    document-wide bearer requirement in force; this publishes `security: []` explicitly."""

    def to_schema(self) -> dict[str, Any]:
        return {**super().to_schema(), "security": []}


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """Publishes `additionalProperties: false` for msgspec Structs that refuse unknown fields, so the
    contract says what the server enforces."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if field_definition.type_.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        return schema
