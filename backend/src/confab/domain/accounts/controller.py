"""Accounts over HTTP: sign-up, login, the caller's own account and the people directory."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body
from litestar.security.jwt import JWTAuth, Token

from confab.dependencies import UserPathId
from confab.domain.accounts import examples
from confab.domain.accounts.models import UserModel
from confab.domain.accounts.schemas import (
    AccessToken,
    Credentials,
    PasswordChange,
    PeerSummary,
    PublicUser,
    User,
    UserCreate,
    to_user,
)
from confab.domain.accounts.service import UserService
from confab.domain.accounts.tokens import issue_token
from confab.domain.messages.service import MessageService
from confab.domain.sessions.devices import user_agent_of
from confab.domain.sessions.models import SessionModel
from confab.domain.sessions.service import SessionService
from confab.errors import NotFound
from confab.openapi import PublicOperation, answer, error_responses
from confab.ratelimits import client_address, rate_limited


def access_token_for(user: UserModel, session: SessionModel, jwt_auth: JWTAuth[User]) -> AccessToken:
    return AccessToken(
        access_token=issue_token(jwt_auth, user, session.jti),
        user=to_user(user),
        expires_in=int(jwt_auth.default_token_expiration.total_seconds()),
    )


class AccountController(Controller):
    path = "/api"
    tags = ["accounts"]

    @post(
        "/users",
        opt={"exclude_from_auth": True},
        guards=[rate_limited("signup", client_address)],
        summary="Sign up",
        description="Create an account. Needs no token. Nickname and email are unique regardless of case. "
        "Limited per client address.",
        responses={
            **answer(201, User, "The new account; the password is never returned.", examples.ACCOUNT),
            **error_responses(400, 409, 413, 429),
        },
        operation_class=PublicOperation,
    )
    async def sign_up(self, data: Annotated[UserCreate, Body(examples=[examples.SIGN_UP])], users: UserService) -> User:
        return to_user(await users.sign_up(data))

    @post(
        "/auth/token",
        status_code=200,
        opt={"exclude_from_auth": True},
        guards=[rate_limited("login", client_address)],
        summary="Log in",
        description="Exchange a nickname (any case) and password for a bearer token; each login is a session "
        "(`GET /api/me/sessions`). Unknown nickname and wrong password get the same 401 after the same work. "
        "Limited per client address, and failed logins per nickname: once those are used up, only addresses "
        "the account has had sessions from may try (others get 429 with `Retry-After`).",
        responses={
            **answer(200, AccessToken, "A bearer token and the account it belongs to.", examples.ACCESS_TOKEN),
            **error_responses(
                400,
                401,
                413,
                429,
                details={
                    401: "wrong nickname or password",
                    429: "too many failed logins for this nickname; retry in 1800 s",
                },
            ),
        },
        operation_class=PublicOperation,
    )
    async def log_in(
        self,
        data: Annotated[Credentials, Body(examples=[examples.CREDENTIALS])],
        request: Request[Any, Any, Any],
        users: UserService,
        sessions: SessionService,
        state: State,
    ) -> AccessToken:
        address = client_address(request)
        user = await users.authenticate(data, address)
        if user is None:
            raise NotAuthorizedException("wrong nickname or password")
        session = await sessions.open(user.id, address, user_agent_of(request))
        return access_token_for(user, session, state.jwt_auth)

    @put(
        "/me/password",
        summary="Change my password",
        description="Needs the current password. Every session (every token issued before the change) ends "
        "and its sockets are disconnected; the answer carries a fresh token, a new session for this client.",
        responses={
            **answer(200, AccessToken, "A fresh token; older ones no longer work.", examples.ACCESS_TOKEN),
            **error_responses(400, 401, 403),
        },
    )
    async def change_password(
        self,
        data: Annotated[PasswordChange, Body(examples=[examples.PASSWORD_CHANGE])],
        request: Request[User, Token, Any],
        users: UserService,
        state: State,
    ) -> AccessToken:
        user, session = await users.change_password(
            request.user.id, data, client_address(request), user_agent_of(request)
        )
        return access_token_for(user, session, state.jwt_auth)

    @get(
        "/me",
        summary="Who am I",
        description="The caller's own account, email included.",
        responses={**answer(200, User, "The caller's account.", examples.ACCOUNT), **error_responses(401)},
    )
    async def me(self, request: Request[User, Token, Any]) -> User:
        return request.user

    @get(
        "/users",
        summary="List people",
        description="Everybody who has an account, with whether they are online now and how many of their "
        "DMs to the caller the caller has not read.",
        responses={
            **answer(200, list[PeerSummary], "Everybody, ordered by id.", examples.PEOPLE),
            **error_responses(401),
        },
    )
    async def list_people(
        self, request: Request[User, Token, Any], users: UserService, messages: MessageService, state: State
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
        responses={**answer(200, PublicUser, "The profile.", examples.PERSON), **error_responses(400, 401, 404)},
    )
    async def show_person(self, user_id: UserPathId, users: UserService) -> PublicUser:
        profile = await users.hub.profiles.get(users.repository.session, user_id)
        if profile is None:
            raise NotFound(f"no user with id {user_id}")
        return profile
