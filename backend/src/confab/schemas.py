"""Building blocks shared by every domain's msgspec schemas."""

from typing import Annotated

import msgspec

# Every id is a positive 64-bit integer; larger values are rejected before they reach the database.
MAX_ID = 2**63 - 1
# Litestar publishes numeric bounds as floats, and 2**63 - 1 does not survive that (it becomes 2**63, so a
# client would think 2**63 is a valid id). These restate the bounds in openapi.json as exact integers.
ID_BOUNDS = {"minimum": 1, "maximum": MAX_ID}
CURSOR_BOUNDS = {"minimum": 0, "maximum": MAX_ID}
Id = Annotated[
    int,
    msgspec.Meta(ge=1, le=MAX_ID, description="A positive 64-bit id.", extra_json_schema={"extra": ID_BOUNDS}),
]
Cursor = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID, extra_json_schema={"extra": CURSOR_BOUNDS})]


# Whitespace as Python's `str.isspace()` knows it, spelled out: `\s` means different things in Python (the
# server's regex dialect) and ECMAScript (openapi.json's), so no published pattern may use it.
WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Start of a pattern for text that is not blank: some non-whitespace character follows any leading whitespace.
NOT_BLANK = rf"^(?=[{WHITESPACE}]*[^{WHITESPACE}])"
# End of a pattern: the end of the text. Python's `$` also matches before a final newline (so "alice\n"
# would pass as a nickname); ECMAScript's does not; `(?!\n)` makes both mean the very end.
END = r"$(?!\n)"
# Text without NUL, for fields with no other rule on their characters: PostgreSQL's text cannot store NUL,
# and C libraries end a string at it, so no field accepts one (content and names have their own rules).
NO_NUL = r"^[^\x00]*" + END


# Plain words for the fields whose rule is a regular expression (msgspec would quote the regex).
FORMAT_HINTS = {
    "nickname": "must be 2 to 32 letters, digits, '_', '.' or '-'",
    "email": "must be an email address such as alice@example.com",
    "password": "must not contain NUL characters",
    "current_password": "must not contain NUL characters",
    "new_password": "must not contain NUL characters",
    "name": "must not be blank or contain control characters",
    "status": "must not contain control characters",
    "content": "must not be blank or contain NUL characters",
    "client_id": "must be 8 to 64 letters, digits, '_' or '-'",
}


def plain_message(key: str, message: str) -> str:
    """msgspec's message for `key`, with a regular expression replaced by the rule in words."""
    if "matching regex" in message:
        return FORMAT_HINTS.get(key.rsplit(".", 1)[-1], "has an invalid format")
    return message


def validation_problem(error: msgspec.ValidationError) -> dict[str, str]:
    """One body field's problem, as REST errors list it in `extra` and socket acks word it."""
    message, _, path = str(error).partition(" - at `$")
    key = path.rstrip("`").lstrip(".") or "data"
    return {"key": key, "message": plain_message(key, message), "source": "body"}


class Schema(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=False):
    """Base for request and response bodies: unknown fields in a request are an error, not ignored."""


class ErrorBody(Schema):
    """The shape of every 4xx and 5xx answer."""

    status_code: int
    detail: str
    extra: list[dict[str, str]] | None = None
