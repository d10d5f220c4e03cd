"""Profile request bodies; the profile itself is `PublicUser` / `User` (domain/accounts/schemas.py)."""

from typing import Annotated

import msgspec

from confab.domain.accounts.schemas import DisplayName, Email
from confab.schemas import END, NO_NUL, Id, Schema

Status = Annotated[
    str,
    msgspec.Meta(
        max_length=100,
        pattern=r"^[^\x00-\x1f\x7f]*" + END,
        description="A short line about what one is up to: up to 100 characters, no control characters; "
        "empty clears it.",
        examples=["On holiday until Monday"],
    ),
]


class ProfileChange(Schema, omit_defaults=True):
    """Only the fields given change. A new email needs the current password in the same body."""

    name: DisplayName | None = None
    email: Email | None = None
    status: Status | None = None
    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024, pattern=NO_NUL)] | None = None


class AvatarChoice(Schema):
    """An image the caller uploaded (`POST /api/files`) and has not sent in a message."""

    file_id: Id


class AccountClosure(Schema):
    """The password proves it is the owner: closing an account cannot be undone."""

    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024, pattern=NO_NUL)]
