"""Example bodies for the room routes in openapi.json: alice's room "general"."""

from datetime import UTC, datetime

from litestar.openapi.spec import Example

from confab.domain.accounts.examples import ALICE, BOB, CHARLIE
from confab.domain.messages.schemas import Message
from confab.domain.rooms.schemas import MemberAdd, Room, RoomCreate, RoomMessageCreate, RoomSummary

CLIENT_ID = "b7e2d0c4-3f61-4a8e-9d15-6c2a8f9e0b31"

ROOM = Room(
    id=7,
    name="general",
    owner=ALICE,
    members=[ALICE, BOB, CHARLIE],
    created_at=datetime(2026, 11, 25, 9, 58, tzinfo=UTC),
)
ROOM_MESSAGE = Message(
    id=43,
    content="Welcome to #general, everybody!",
    date=datetime(2026, 11, 25, 10, 1, tzinfo=UTC),
    author=ALICE,
    seq=43,
    room_id=7,
    client_id=CLIENT_ID,
)
ROOM_REPLY = Message(
    id=44, content="Hi all!", date=datetime(2026, 11, 25, 10, 1, 30, tzinfo=UTC), author=BOB, seq=44, room_id=7
)

CREATE_ROOM = Example(
    summary="Alice opens general with bob and charlie", value=RoomCreate(name="general", member_ids=[2, 3])
)
ADD_MEMBER = Example(summary="Add charlie (id 3)", value=MemberAdd(user_id=3))
POST_MESSAGE = Example(
    summary="Alice posts in the room",
    value=RoomMessageCreate(content="Welcome to #general, everybody!", client_id=CLIENT_ID),
)
ROOM_CREATED = Example(summary="The room with its members, longest-standing first", value=ROOM)
MY_ROOMS = Example(
    summary="Bob's rooms, most recently active first",
    value=[
        RoomSummary(
            id=ROOM.id,
            name=ROOM.name,
            owner=ROOM.owner,
            members=ROOM.members,
            created_at=ROOM.created_at,
            last_message=ROOM_REPLY,
            unread=1,
        )
    ],
)
POSTED = Example(summary="The stored room message, as pushed to every member", value=ROOM_MESSAGE)
ROOM_HISTORY = Example(summary="A page of the room, oldest first", value=[ROOM_MESSAGE, ROOM_REPLY])
