"""Building blocks shared by every domain's msgspec schemas."""

from typing import Annotated

import msgspec

# Every id is a positive 64-bit integer; larger values are rejected before they reach the database.
MAX_ID = 2**63 - 1
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, description="A positive 64-bit id.")]
Cursor = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID)]


class Schema(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=False):
    """Base for request and response bodies: unknown fields in a request are an error, not ignored."""


class ErrorBody(Schema):
    """The shape of every 4xx and 5xx answer."""

    status_code: int
    detail: str
    extra: list[dict[str, str]] | None = None
