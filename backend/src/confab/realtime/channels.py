"""Names of the Socket.IO rooms (channels) confab puts sockets in; clients never choose them."""


def user_channel(nickname: str) -> str:
    """The Socket.IO room every socket of one user is in (the tutorial's per-nickname channel)."""
    return f"user:{nickname}"


def token_channel(jti: str) -> str:
    """The Socket.IO room of the sockets opened with one token, so logging out can close exactly those."""
    return f"token:{jti}"


ROOM_PREFIX = "room:"


def room_channel(room_id: int) -> str:
    """The Socket.IO room every live socket of every member of a chat room is in."""
    return f"{ROOM_PREFIX}{room_id}"


def is_room_channel(channel: str) -> bool:
    return channel.startswith(ROOM_PREFIX)
