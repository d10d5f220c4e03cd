"""Example bodies for the accounts routes in openapi.json: the tutorial's alice, bob and charlie.

Examples are built from the real schemas, so they cannot drift from what the API sends.
"""

from litestar.openapi.spec import Example

from confab.domain.accounts.schemas import (
    AccessToken,
    Credentials,
    PasswordChange,
    PeerSummary,
    PublicUser,
    User,
    UserCreate,
)

PASSWORD = "wonderland"
NEW_PASSWORD = "through the looking-glass"
TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
ALICE = PublicUser(id=1, name="Alice Liddell", nickname="alice")
BOB = PublicUser(id=2, name="Bob", nickname="bob")
CHARLIE = PublicUser(id=3, name="Charlie", nickname="charlie")
ALICE_ACCOUNT = User(id=1, name="Alice Liddell", nickname="alice", email="alice@example.com")

SIGN_UP = Example(
    summary="Alice signs up",
    value=UserCreate(name="Alice Liddell", email="alice@example.com", nickname="alice", password=PASSWORD),
)
CREDENTIALS = Example(summary="Alice logs in", value=Credentials(nickname="alice", password=PASSWORD))
PASSWORD_CHANGE = Example(
    summary="Alice picks a new password",
    value=PasswordChange(current_password=PASSWORD, new_password=NEW_PASSWORD),
)
ACCOUNT = Example(summary="Alice's account", value=ALICE_ACCOUNT)
ACCESS_TOKEN = Example(
    summary="A token for alice, valid for 7 days",
    value=AccessToken(
        access_token=TOKEN,
        user=ALICE_ACCOUNT,
        expires_in=604800,
    ),
)
PEOPLE = Example(
    summary="Everybody, as alice sees them",
    value=[
        PeerSummary(id=1, name="Alice Liddell", nickname="alice", online=True),
        PeerSummary(id=2, name="Bob", nickname="bob", online=True, unread=1),
        PeerSummary(id=3, name="Charlie", nickname="charlie"),
    ],
)
SEARCH = Example(
    summary="Alice searches for `bo`: one page, with more to come in `X-Next-Cursor`",
    value=[
        PeerSummary(id=2, name="Bob", nickname="bob", online=True, unread=1),
        PeerSummary(id=7, name="Bo Diddley", nickname="bodiddley"),
        PeerSummary(id=12, name="Jean Bosco", nickname="jbosco"),
    ],
)
PERSON = Example(summary="Bob's public profile", value=BOB)
