"""Example bodies for the profile routes in openapi.json, built from the real schemas."""

from litestar.openapi.spec import Example

from confab.domain.accounts.examples import PASSWORD
from confab.domain.accounts.schemas import User
from confab.domain.profiles.schemas import AccountClosure, AvatarChoice, ProfileChange

ACCOUNT_WITH_STATUS = Example(
    summary="Alice's account with a status and an avatar",
    value=User(
        id=1,
        name="Alice Liddell",
        nickname="alice",
        email="alice@example.com",
        status="Down the rabbit hole",
        avatar_url="/api/files/7/thumbnail?expires=1795000000&signature=5f2b...",
    ),
)
PROFILE_CHANGE = Example(
    summary="A new name, status and email (the email needs the current password)",
    value=ProfileChange(
        name="Alice L.",
        status="Down the rabbit hole",
        email="alice@wonderland.example",
        current_password=PASSWORD,
    ),
)
STATUS_CHANGE = Example(summary="Only the status; an empty one clears it", value=ProfileChange(status=""))
AVATAR_CHOICE = Example(summary="The image uploaded as file 7", value=AvatarChoice(file_id=7))
ACCOUNT_CLOSURE = Example(summary="Alice closes her account", value=AccountClosure(password=PASSWORD))
