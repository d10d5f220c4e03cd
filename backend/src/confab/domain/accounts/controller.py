"""Accounts over HTTP: sign-up, login, the caller's own account and the people directory."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, ValidationException
from litestar.openapi.spec import Example
from litestar.params import Body, Parameter
from litestar.security.jwt import JWTAuth, Token

from confab.dependencies import UserPathId
from confab.domain.accounts import examples
from confab.domain.accounts.directory import (
    BadCursor,
    DirectoryCursor,
    decode_cursor,
    encode_cursor,
    name_key,
    nickname_key,
)
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
from confab.domain.accounts.service import DirectoryPage, UserService
from confab.domain.accounts.tokens import issue_token
from confab.domain.messages.service import MessageService
from confab.domain.sessions.devices import user_agent_of
from confab.domain.sessions.models import SessionModel
from confab.domain.sessions.service import SessionService
from confab.errors import NotFound
from confab.openapi import NEXT_CURSOR_HEADER, PagedOperation, PublicOperation, answer, error_responses
from confab.ratelimits import client_address, rate_limited
from confab.schemas import END, NOT_BLANK

DEFAULT_DIRECTORY_PAGE = 50

SearchText = Annotated[
    str | None,
    Parameter(
        min_length=1,
        max_length=100,
        pattern=NOT_BLANK + r"[^\x00-\x1f\x7f]+" + END,
        description="Find people whose nickname starts with this, or whose name has a word starting with it; "
        "case, accents and punctuation do not count (`jose` finds `José Díaz`). Best matches first: the exact "
        "nickname, then nicknames starting with it (alphabetically), then names.",
        examples=[Example(summary="Part of a name", value="jos")],
    ),
]
PageSize = Annotated[
    int | None,
    Parameter(
        ge=1,
        le=200,
        description="Page size, 1 to 200; 50 when `q`, `conversations` or `cursor` is given. Without any "
        "parameter the answer is everybody, unpaged.",
    ),
]
PageCursor = Annotated[
    str | None,
    Parameter(
        min_length=1,
        max_length=1000,
        description=f"Where the next page starts: the `{NEXT_CURSOR_HEADER}` header of the previous answer, "
        "with the same `q` and `conversations`.",
    ),
]
OnlyConversations = Annotated[
    bool,
    Parameter(
        description="Only the people I have a DM conversation with, most recently active first. "
        "Cannot be combined with `q`."
    ),
]


def bad_query(key: str, message: str) -> ValidationException:
    return ValidationException(detail=f"{key}: {message}", extra=[{"key": key, "message": message, "source": "query"}])


def read_cursor(text: str | None, mode: str, query: str = "") -> DirectoryCursor | None:
    """The cursor a previous page handed out, checked to belong to this listing."""
    if text is None:
        return None
    try:
        cursor = decode_cursor(text)
    except BadCursor:
        cursor = None
    if cursor is None or cursor.mode != mode or cursor.query != query:
        raise bad_query("cursor", "is not the next-page cursor of this listing")
    return cursor


def access_token_for(user: UserModel, session: SessionModel, state: State) -> AccessToken:
    jwt_auth: JWTAuth[User] = state.jwt_auth
    return AccessToken(
        access_token=issue_token(jwt_auth, user, session.jti),
        user=to_user(user, state.hub.file_links),
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
            **error_responses(400, 409, 413, 415, 429),
        },
        operation_class=PublicOperation,
    )
    async def sign_up(self, data: Annotated[UserCreate, Body(examples=[examples.SIGN_UP])], users: UserService) -> User:
        return to_user(await users.sign_up(data), users.hub.file_links)

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
                415,
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
        return access_token_for(user, session, state)

    @put(
        "/me/password",
        summary="Change my password",
        description="Needs the current password. Every session (every token issued before the change) ends "
        "and its sockets are disconnected; the answer carries a fresh token, a new session for this client.",
        responses={
            **answer(200, AccessToken, "A fresh token; older ones no longer work.", examples.ACCESS_TOKEN),
            **error_responses(400, 401, 403, 413, 415),
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
        return access_token_for(user, session, state)

    @get(
        "/users",
        summary="List and find people",
        description="Without parameters: everybody who has an account, ordered by id, in one list (what older "
        "clients expect). With `q`: a search of the directory; with `conversations=true`: the people I have a DM "
        "conversation with. Those, and `limit` or `cursor`, answer one page; when there is another, the "
        f"`{NEXT_CURSOR_HEADER}` header carries the `cursor` that fetches it. Each person comes with whether they "
        "are online now and how many of their DMs to the caller the caller has not read.",
        operation_class=PagedOperation,
        responses={
            **answer(200, list[PeerSummary], "People, best matches first.", examples.PEOPLE, examples.SEARCH),
            **error_responses(
                400,
                401,
                details={400: "q: cannot be combined with conversations=true"},
            ),
        },
    )
    async def list_people(
        self,
        request: Request[User, Token, Any],
        users: UserService,
        messages: MessageService,
        state: State,
        q: SearchText = None,
        limit: PageSize = None,
        cursor: PageCursor = None,
        conversations: OnlyConversations = False,
    ) -> Response[list[PeerSummary]]:
        caller = request.user.id
        page_size = limit or DEFAULT_DIRECTORY_PAGE
        if q is not None and conversations:
            raise bad_query("q", "cannot be combined with conversations=true")
        if q is not None:
            if not nickname_key(q) and not name_key(q):
                raise bad_query("q", "must contain a letter or a digit")
            page = await users.search_people(q, page_size, read_cursor(cursor, "search", q))
        elif conversations:
            page = await self._conversations(caller, page_size, read_cursor(cursor, "conversations"), users, messages)
        elif limit is not None or cursor is not None:
            after = read_cursor(cursor, "all")
            page = await users.list_people_page(page_size, after.user_id if after else 0)
        else:
            page = DirectoryPage(await users.list_people(), None)
        online = await state.hub.presence.online_among([person.id for person in page.people])
        unread = await messages.unread_direct_counts(caller)
        people = [
            PeerSummary(
                **msgspec.structs.asdict(person),
                online=person.id in online,
                unread=unread.get(person.id, (0, 0))[0],
                mentions_unread=unread.get(person.id, (0, 0))[1],
            )
            for person in page.people
        ]
        headers = {NEXT_CURSOR_HEADER: encode_cursor(page.next_cursor)} if page.next_cursor else None
        return Response(people, headers=headers)

    @staticmethod
    async def _conversations(
        caller: int, limit: int, after: DirectoryCursor | None, users: UserService, messages: MessageService
    ) -> DirectoryPage:
        recent = await messages.recent_conversations(caller, limit + 1, after.message_id if after else None)
        profiles = await users.public_profiles([peer_id for peer_id, _ in recent[:limit]])
        people = [profiles[peer_id] for peer_id, _ in recent[:limit] if peer_id in profiles]
        if len(recent) <= limit:
            return DirectoryPage(people, None)
        return DirectoryPage(people, DirectoryCursor(mode="conversations", message_id=recent[limit - 1][1]))

    @get(
        "/users/{user_id:int}",
        summary="Show a person",
        description="One user's public profile; a closed account's reads `Deleted user` with `deleted: true`.",
        responses={**answer(200, PublicUser, "The profile.", examples.PERSON), **error_responses(400, 401, 404)},
    )
    async def show_person(self, user_id: UserPathId, users: UserService) -> PublicUser:
        profile = await users.hub.profiles.get(users.repository.session, user_id)
        if profile is None:
            raise NotFound(f"no user with id {user_id}")
        return profile
