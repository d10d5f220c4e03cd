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
    summary="A new name and status", value=ProfileChange(name="Alice L.", status="Down the rabbit hole")
)
EMAIL_CHANGE = Example(
    summary="A new email, with the current password",
    value=ProfileChange(email="alice@wonderland.example", current_password=PASSWORD),
)
AVATAR_CHOICE = Example(summary="The image uploaded as file 7", value=AvatarChoice(file_id=7))
ACCOUNT_CLOSURE = Example(summary="Alice closes her account", value=AccountClosure(password=PASSWORD))
