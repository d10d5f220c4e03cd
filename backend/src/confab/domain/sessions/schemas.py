"""Session response bodies; the token and its jti are never part of them."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import msgspec

from confab.domain.sessions.devices import device_label
from confab.schemas import Schema

if TYPE_CHECKING:
    from confab.domain.sessions.models import SessionModel

SessionId = Annotated[
    str,
    msgspec.Meta(
        description="An opaque session id: names the session to end it, but cannot be used to act as it.",
        examples=["q3Zk8wYvJ2nT5bLx"],
    ),
]


class Session(Schema):
    """One of the caller's logins (or the token a password change returned), while it is valid."""

    id: SessionId
    device: Annotated[str, msgspec.Meta(description="Browser and system from the User-Agent at login.")]
    client_address: Annotated[str, msgspec.Meta(description="The client address the login came from.")]
    created_at: datetime
    last_used_at: Annotated[datetime, msgspec.Meta(description="The last request or socket connection, to a minute.")]
    current: Annotated[bool, msgspec.Meta(description="True for the session whose token made this request.")]


def to_session(row: "SessionModel", current_jti: str | None) -> Session:
    return Session(
        id=row.id,
        device=device_label(row.user_agent),
        client_address=row.client_address,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        current=row.jti == current_jti,
    )
