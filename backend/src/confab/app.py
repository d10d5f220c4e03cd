"""Application factories: `create_app` builds the Litestar JSON API, `create_asgi_app` adds Socket.IO."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import asyncpg
import socketio
from advanced_alchemy.exceptions import RepositoryError
from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar, Request, Response
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import License
from sqlalchemy.exc import SQLAlchemyError

from confab import __version__
from confab.bodies import strict_json_body
from confab.db.backup import serving
from confab.db.engine import create_database_config
from confab.db.outages import database_error_response, repository_error_response
from confab.db.schema import assert_schema_current
from confab.dependencies import APP_DEPENDENCIES
from confab.domain.accounts.controller import AccountController
from confab.domain.accounts.passwords import Passwords
from confab.domain.accounts.tokens import TokenChecks, build_jwt_auth
from confab.domain.files.controller import FileController
from confab.domain.files.sweeper import sweep_orphans_periodically
from confab.domain.mentions.controller import MentionController
from confab.domain.messages.controller import MessageController
from confab.domain.notifications.controller import NotificationController
from confab.domain.profiles.controller import ProfileController
from confab.domain.reactions.controller import ReactionController
from confab.domain.rooms.controller import RoomController
from confab.domain.search.controller import SearchController
from confab.domain.sessions.controller import SessionController
from confab.domain.system.controller import database_alive, service_index, version
from confab.domain.threads.controller import ThreadController
from confab.logging import litestar_logging_config
from confab.openapi import NEXT_CURSOR_HEADER, ClosedStructSchemaPlugin
from confab.ratelimits import RateLimits
from confab.realtime.handlers import register_handlers
from confab.realtime.hub import RealtimeHub
from confab.realtime.polling import PollingBodies
from confab.schemas import ErrorBody, plain_message
from confab.security_headers import SecurityHeaders
from confab.settings import Settings, get_settings

logger = logging.getLogger("confab")


def _describe(problem: dict[str, object]) -> dict[str, str]:
    key = str(problem.get("key") or "body")
    message = plain_message(key, str(problem.get("message") or "is invalid"))
    source = problem.get("source")
    return {"key": key, "message": message, "source": str(getattr(source, "value", source) or "body")}


def validation_error(request: Request, error: ValidationException) -> Response[ErrorBody]:
    """Say which field is wrong, and how, in `detail` itself, not only in `extra`."""
    problems = [_describe(item) for item in (error.extra or []) if isinstance(item, dict)]
    detail = "; ".join(f"{problem['key']}: {problem['message']}" for problem in problems) or error.detail
    return Response(ErrorBody(status_code=400, detail=detail, extra=problems or None), status_code=400)


def create_app(settings: Settings | None = None) -> Litestar:
    """The JSON API alone (tests, the CLI and the OpenAPI export use it); see `create_asgi_app`."""
    settings = settings or get_settings()
    database_config = create_database_config(settings)
    rate_limits = RateLimits(settings)
    hub = RealtimeHub(settings, database_config.create_session_maker(), rate_limits)
    # PostgreSQL reads the tokens of concurrent requests together (`domain/accounts/tokens.py`).
    token_checks = None if settings.is_sqlite else TokenChecks(database_config.get_engine(), hub.profiles)
    register_handlers(hub)
    jwt_auth = build_jwt_auth(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        await assert_schema_current(database_config.get_engine())
        with serving(settings.database_url):
            await hub.start()
            sweeper = asyncio.create_task(sweep_orphans_periodically(settings, database_config, hub))
            try:
                yield
            finally:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
                await hub.stop()
                if token_checks is not None:
                    await token_checks.close()

    openapi_config = OpenAPIConfig(
        title="confab",
        version=__version__,
        description="A small self-hostable chat backend: accounts, direct messages and rooms over JSON, "
        "with live delivery over Socket.IO (see the README's realtime protocol).",
        license=License(name="MIT", identifier="MIT"),
        path="/schema",
        render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
    )
    return Litestar(
        dependencies=APP_DEPENDENCIES,
        route_handlers=[
            AccountController,
            FileController,
            MentionController,
            MessageController,
            NotificationController,
            ProfileController,
            ReactionController,
            RoomController,
            SearchController,
            SessionController,
            ThreadController,
            database_alive,
            version,
            service_index,
        ],
        plugins=[SQLAlchemyPlugin(config=database_config), ClosedStructSchemaPlugin()],
        on_app_init=[jwt_auth.on_app_init],
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "database_config": database_config,
                "token_checks": token_checks,
                "hub": hub,
                "rate_limits": rate_limits,
                "jwt_auth": jwt_auth,
                "passwords": Passwords(settings.password_hash_profile),
            }
        ),
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins), expose_headers=[NEXT_CURSOR_HEADER])
        if settings.cors_origins
        else None,
        openapi_config=openapi_config,
        logging_config=litestar_logging_config(settings),
        exception_handlers={
            ValidationException: validation_error,
            # A database outage can surface as any of these, from the token check onwards (db/outages.py).
            OSError: database_error_response,
            SQLAlchemyError: database_error_response,
            asyncpg.PostgresError: database_error_response,
            asyncpg.InterfaceError: database_error_response,
            # advanced-alchemy's repositories rewrap SQLAlchemy's errors, outages included.
            RepositoryError: repository_error_response,
        },
        before_request=strict_json_body,
        request_max_body_size=settings.max_body_bytes,
        debug=False,
    )


class ConfabASGI(SecurityHeaders):
    """The one ASGI application uvicorn serves: Socket.IO at `/socket.io/`, everything else to Litestar."""

    def __init__(self, api: Litestar) -> None:
        sockets = socketio.ASGIApp(api.state.hub.sio, other_asgi_app=api, socketio_path="socket.io")
        super().__init__(PollingBodies(sockets, "socket.io", api.state.settings.max_body_bytes))
        self.api = api


def create_asgi_app(settings: Settings | None = None) -> ConfabASGI:
    return ConfabASGI(create_app(settings))
