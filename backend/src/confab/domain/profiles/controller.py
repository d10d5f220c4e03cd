"""Profiles over HTTP: my account, my name, email and status, my avatar, and closing my account."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, put
from litestar.params import Body
from litestar.security.jwt import Token

from confab.domain.accounts import examples as account_examples
from confab.domain.accounts.schemas import User
from confab.domain.profiles import examples
from confab.domain.profiles.schemas import AccountClosure, AvatarChoice, ProfileChange
from confab.domain.profiles.service import ProfileService
from confab.openapi import answer, error_responses


class ProfileController(Controller):
    path = "/api"
    tags = ["accounts"]

    @get(
        "/me",
        summary="Who am I",
        description="The caller's own account, email included.",
        responses={**answer(200, User, "The caller's account.", account_examples.ACCOUNT), **error_responses(401)},
    )
    async def me(self, request: Request[User, Token, Any]) -> User:
        return request.user

    @patch(
        "/me",
        summary="Change my profile",
        description="Change any of `name`, `email` and `status` (up to 100 characters; empty clears it); fields "
        "left out stay as they are. A new email needs `current_password` in the same body (400 without it, 403 "
        "when wrong) and must not be registered already (409). Nicknames never change. Everyone who shares a DM "
        "conversation or a room with me, and my own sockets, receive `user_updated` with the new `PublicUser`.",
        responses={
            **answer(200, User, "The account as it is now.", examples.ACCOUNT_WITH_STATUS),
            **error_responses(400, 401, 403, 409, 413, 415, details={409: "that email address is already registered"}),
        },
    )
    async def update_profile(
        self,
        data: Annotated[ProfileChange, Body(examples=[examples.PROFILE_CHANGE, examples.STATUS_CHANGE])],
        request: Request[User, Token, Any],
        profiles: ProfileService,
    ) -> User:
        return await profiles.update_profile(request.user.id, data)

    @put(
        "/me/avatar",
        summary="Set my avatar",
        description="`file_id` names an image I uploaded with `POST /api/files` (PNG, JPEG, GIF or WebP that has a "
        "thumbnail) and have not sent in a message. `avatar_url`, in every `PublicUser`, is then a freshly signed "
        "link to its thumbnail. The previous avatar's file is deleted. Someone else's file or an unknown id is a "
        "404, a file that is not an image a 400, one already sent a 409.",
        responses={
            **answer(200, User, "The account, with its `avatar_url`.", examples.ACCOUNT_WITH_STATUS),
            **error_responses(400, 401, 404, 409, 413, 415, details={404: "no file with id 42"}),
        },
    )
    async def set_avatar(
        self,
        data: Annotated[AvatarChoice, Body(examples=[examples.AVATAR_CHOICE])],
        request: Request[User, Token, Any],
        profiles: ProfileService,
    ) -> User:
        return await profiles.set_avatar(request.user.id, data.file_id)

    @delete(
        "/me/avatar",
        summary="Remove my avatar",
        description="`avatar_url` becomes null and the image's file is deleted; without an avatar nothing changes.",
        responses=error_responses(401),
    )
    async def remove_avatar(self, request: Request[User, Token, Any], profiles: ProfileService) -> None:
        await profiles.remove_avatar(request.user.id)

    @delete(
        "/me",
        summary="Close my account",
        description="Needs the password (403 when wrong). Cannot be undone. Every session ends and every socket "
        "is disconnected (`session_ended` with reason `account closed`); the email, password, status, avatar "
        'and unsent uploads are erased; the profile becomes `{"name": "Deleted user", "nickname": '
        '"deleted-<id>", "deleted": true}` everywhere, and the old nickname and email are free for new '
        "sign-ups. I leave every room; rooms I owned pass to their longest-standing remaining member. Messages "
        "I sent, with their files and my reactions, stay in other people's histories. Everyone who shared a DM "
        "conversation or a room with me receives `user_updated`.",
        responses=error_responses(400, 401, 403, 413, 415, details={403: "the password is wrong"}),
    )
    async def close_account(
        self,
        data: Annotated[AccountClosure, Body(examples=[examples.ACCOUNT_CLOSURE])],
        request: Request[User, Token, Any],
        profiles: ProfileService,
    ) -> None:
        await profiles.close_account(request.user.id, data.password)
