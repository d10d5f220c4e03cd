"""Accounts over HTTP: sign-up, login, the caller's own account and the people directory."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter
from litestar.security.jwt import JWTAuth, Token
from sqlalchemy.ext.asyncio import AsyncSession

from confab.domain.accounts.models import UserModel
from confab.domain.accounts.schemas import (
    AccessToken,
    Credentials,
    PeerSummary,
    PublicUser,
    User,
    UserCreate,
    to_public_user,
    to_user,
)
from confab.domain.accounts.service import UserService
from confab.domain.messages.controller import provide_message_service
from confab.domain.messages.service import MessageService
from confab.errors import NotFound
from confab.openapi import PublicOperation, error_responses
from confab.schemas import ID_BOUNDS, MAX_ID

PathId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="A user id.", schema_extra=ID_BOUNDS)]


def provide_user_service(db_session: AsyncSession, state: State) -> UserService:
    return UserService(session=db_session, passwords=state.passwords)


class AccountController(Controller):
    path = "/api"
    tags = ["accounts"]
    dependencies = {
        "users": Provide(provide_user_service, sync_to_thread=False),
        "messages": Provide(provide_message_service, sync_to_thread=False),
    }

    @post(
        "/users",
        opt={"exclude_from_auth": True},
        summary="Sign up",
        description="Create an account. Needs no token. Nickname and email are unique regardless of case.",
        responses=error_responses(400, 409, 413),
        operation_class=PublicOperation,
    )
    async def sign_up(self, data: UserCreate, users: UserService) -> User:
        return to_user(await users.sign_up(data))

    @post(
        "/auth/token",
        status_code=200,
        opt={"exclude_from_auth": True},
        summary="Log in",
        description="Exchange a nickname and password for a bearer token. Unknown nickname and wrong "
        "password get the same 401.",
        responses=error_responses(400, 401, 413),
        operation_class=PublicOperation,
    )
    async def log_in(self, data: Credentials, users: UserService, state: State) -> AccessToken:
        user = await users.authenticate(data)
        if user is None:
            raise NotAuthorizedException("wrong nickname or password")
        jwt_auth: JWTAuth[UserModel] = state.jwt_auth
        return AccessToken(
            access_token=jwt_auth.create_token(identifier=str(user.id)),
            user=to_user(user),
            expires_in=int(jwt_auth.default_token_expiration.total_seconds()),
        )

    @get(
        "/me",
        summary="Who am I",
        description="The caller's own account, email included.",
        responses=error_responses(401),
    )
    async def me(self, request: Request[UserModel, Token, Any]) -> User:
        return to_user(request.user)

    @get(
        "/users",
        summary="List people",
        description="Everybody who has an account, with whether they are online now and how many of their "
        "DMs to the caller the caller has not read.",
        responses=error_responses(401),
    )
    async def list_people(
        self, request: Request[UserModel, Token, Any], users: UserService, messages: MessageService, state: State
    ) -> list[PeerSummary]:
        people = await users.list_people()
        online = await state.hub.presence.online_among([row.id for row in people])
        unread = await messages.unread_direct_counts(request.user.id)
        return [
            PeerSummary(
                id=row.id, name=row.name, nickname=row.nickname, online=row.id in online, unread=unread.get(row.id, 0)
            )
            for row in people
        ]

    @get(
        "/users/{user_id:int}",
        summary="Show a person",
        description="One user's public profile.",
        responses=error_responses(400, 401, 404),
    )
    async def show_person(self, user_id: PathId, users: UserService) -> PublicUser:
        row = await users.get_one_or_none(id=user_id)
        if row is None:
            raise NotFound(f"no user with id {user_id}")
        return to_public_user(row)
