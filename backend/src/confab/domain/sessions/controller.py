"""Sessions over HTTP: list mine, end one, end all the others, and log out (end this one)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import Parameter
from litestar.security.jwt import Token

from confab.domain.accounts.schemas import User
from confab.domain.sessions import examples
from confab.domain.sessions.schemas import Session, to_session
from confab.domain.sessions.service import SessionService
from confab.openapi import answer, error_responses

SessionPathId = Annotated[str, Parameter(min_length=1, max_length=32, description="A session id from the list.")]
ENDED_ELSEWHERE = (
    "Its token stops working at once, and its live sockets get `session_ended` "
    '`{"reason": "ended from another device"}` and are disconnected.'
)


class SessionController(Controller):
    path = "/api"
    tags = ["sessions"]

    @get(
        "/me/sessions",
        summary="List my sessions",
        description="One entry per token of mine that still works (each login, and the token a password change "
        "returned), oldest first: a device label from its User-Agent, the address it logged in from, when it "
        "was created and last used (to the minute), and `current` for the one making this request.",
        responses={
            **answer(200, list[Session], "The caller's live sessions.", examples.SESSIONS),
            **error_responses(401),
        },
    )
    async def list_sessions(self, request: Request[User, Token, Any], sessions: SessionService) -> list[Session]:
        return [to_session(row, request.auth.jti) for row in await sessions.list_live(request.user.id)]

    @delete(
        "/me/sessions/{session_id:str}",
        summary="End one of my sessions",
        description=f"{ENDED_ELSEWHERE} Ending the current session is logging out. An id that is not one of the "
        "caller's live sessions (another user's included) is 404.",
        responses=error_responses(400, 401, 404, details={404: "you have no session with id 'Hc1uV0pRmA7sWq9e'"}),
    )
    async def end_session(
        self, session_id: SessionPathId, request: Request[User, Token, Any], sessions: SessionService
    ) -> None:
        await sessions.end(request.user.id, session_id, request.auth.jti)

    @post(
        "/auth/logout",
        status_code=204,
        summary="Log out",
        description="Ends the session of the token used for this request; its live sockets are disconnected "
        'with a `session_ended` `{"reason": "logged out"}` event. Other sessions of the same user keep working.',
        responses=error_responses(401),
    )
    async def log_out(self, request: Request[User, Token, Any], sessions: SessionService) -> None:
        await sessions.end_current(request.auth.jti)

    @post(
        "/auth/logout-all",
        status_code=204,
        summary="Log out everywhere else",
        description=f"Ends every other session of the caller. {ENDED_ELSEWHERE} The caller's own token and "
        "sockets stay.",
        responses=error_responses(401),
    )
    async def log_out_elsewhere(self, request: Request[User, Token, Any], sessions: SessionService) -> None:
        await sessions.end_others(request.user.id, request.auth.jti)
