"""Account request and response bodies; constraints live in `Meta` so they are published in openapi.json."""

from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

from confab.schemas import END, NO_NUL, NOT_BLANK, WHITESPACE, Id, Schema

if TYPE_CHECKING:
    from confab.domain.accounts.models import UserModel
    from confab.domain.files.links import FileLinks

Nickname = Annotated[
    str,
    msgspec.Meta(
        min_length=2,
        max_length=32,
        pattern=r"^[A-Za-z0-9_.-]+" + END,
        description="2 to 32 letters, digits, '_', '.' or '-'; unique regardless of case.",
        examples=["alice"],
    ),
]
DisplayName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        pattern=NOT_BLANK + r"[^\x00-\x1f\x7f]+" + END,
        description="1 to 100 characters, not blank, no control characters.",
        examples=["Alice Liddell"],
    ),
]
Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=254,
        pattern=rf"^[^@{WHITESPACE}\x00-\x1f\x7f]+@[^@{WHITESPACE}\x00-\x1f\x7f]+\.[^@{WHITESPACE}\x00-\x1f\x7f]+"
        + END,
        description="An email address (no spaces or control characters); unique regardless of case.",
        examples=["alice@example.com"],
    ),
]
Password = Annotated[
    str,
    msgspec.Meta(
        min_length=8,
        max_length=1024,
        pattern=NO_NUL,
        description="At least 8 characters, no NUL.",
        examples=["correct horse"],
    ),
]


class UserCreate(Schema):
    """Sign-up form."""

    name: DisplayName
    email: Email
    nickname: Nickname
    password: Password


class PublicUser(Schema):
    """What anybody may know about a user. A closed account reads `{"name": "Deleted user", "nickname":
    "deleted-<id>", "deleted": true}`, with no status or avatar."""

    id: Id
    name: str
    nickname: str
    status: str = ""
    avatar_url: str | None = None
    deleted: bool = False


class User(PublicUser, kw_only=True):
    """The account as its owner sees it."""

    email: str


class PeerSummary(PublicUser):
    """A user as listed for the caller: presence, how many of their DMs the caller has not read, and how many of
    those mention the caller."""

    online: bool = False
    unread: int = 0
    mentions_unread: int = 0


class Credentials(Schema):
    """Login form."""

    nickname: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=NO_NUL, examples=["alice"])]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024, pattern=NO_NUL, examples=["correct horse"])]


class PasswordChange(Schema):
    """The current password proves it is the owner; every token issued before the change stops working."""

    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024, pattern=NO_NUL)]
    new_password: Password


class AccessToken(Schema):
    """A bearer token for `Authorization: Bearer ...` and for the Socket.IO `auth` payload."""

    access_token: str
    user: User
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = 0


def avatar_url(file_id: int | None, links: "FileLinks") -> str | None:
    """A freshly signed link to the avatar's thumbnail (every payload carries a new one), or None."""
    return links.url(file_id, "thumbnail") if file_id is not None else None


def to_user(row: "UserModel", links: "FileLinks") -> User:
    return User(
        id=row.id,
        name=row.name,
        nickname=row.nickname,
        email=row.email,
        status=row.status,
        avatar_url=avatar_url(row.avatar_file_id, links),
        deleted=row.deleted_at is not None,
    )


def to_public_user(row: "UserModel | User", links: "FileLinks | None" = None) -> PublicUser:
    """The public part of an account: from a `User` as it is, from a row with a freshly signed avatar link."""
    if isinstance(row, User):
        return PublicUser(
            id=row.id,
            name=row.name,
            nickname=row.nickname,
            status=row.status,
            avatar_url=row.avatar_url,
            deleted=row.deleted,
        )
    if links is None:
        raise TypeError("a profile read from the database needs the file links to sign its avatar")
    return PublicUser(
        id=row.id,
        name=row.name,
        nickname=row.nickname,
        status=row.status,
        avatar_url=avatar_url(row.avatar_file_id, links),
        deleted=row.deleted_at is not None,
    )
