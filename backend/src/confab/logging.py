"""Production logging: one JSON object per line on stdout, with nothing secret in it.

`confab serve` hands `json_logging_config()` to uvicorn, which applies it in every worker before the
app is imported; `litestar_logging_config` then keeps Litestar from replacing those handlers.
What is logged: levels, logger names, messages we write, and for each request its method, path,
status and client address. Request bodies (passwords, message contents) are never logged, the
Socket.IO auth payload (the token) is never logged, and credentials that a client puts in a query
string are masked by `RedactQuerySecrets` before anything is written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from litestar.logging.config import BaseLoggingConfig, LoggingConfig
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from confab.settings import Settings

if TYPE_CHECKING:
    from litestar.types.callable_types import ExceptionLoggingHandler

# Query parameters whose values are credentials: tokens some clients pass in the URL, and the
# Engine.IO session id, which lets whoever holds it speak on an open long-polling session.
SECRET_QUERY_KEYS = ("token", "access_token", "auth", "password", "sid")
_SECRET_QUERY = re.compile(r"(?P<key>(?:^|[?&])(?:" + "|".join(SECRET_QUERY_KEYS) + r"))=[^&#\s]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact_query(path: str) -> str:
    """`path` with the value of every credential-bearing query parameter replaced by `[redacted]`."""
    return _SECRET_QUERY.sub(lambda match: f"{match['key']}={REDACTED}", path)


class RedactQuerySecrets(logging.Filter):
    """Masks credentials in the paths uvicorn logs and lifts access-log fields into their own JSON keys."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple):
            return True
        args = tuple(redact_query(arg) if isinstance(arg, str) and "?" in arg else arg for arg in args)
        record.args = args
        if record.name == "uvicorn.access" and len(args) == 5:  # client, method, path, HTTP version, status
            client, method, path, _http_version, status = args
            record.client = client
            record.method = method
            record.path = path
            record.status = status
        return True


def json_formatter() -> logging.Formatter:
    """python-json-logger's formatter: timestamp, level, logger and message, plus any structured extras."""
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        # uvicorn attaches an ANSI-coloured copy of some messages; it is noise in JSON.
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        timestamp=True,
    )


def json_logging_config(level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` dictionary sending every logger, uvicorn's included, to stdout as JSON."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": json_formatter}},
        "filters": {"redact_query_secrets": {"()": RedactQuerySecrets}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
                "filters": ["redact_query_secrets"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Propagate to the root's one handler instead of uvicorn's own coloured ones.
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": level, "propagate": True},
            # Given a level here, python-socketio and python-engineio do not add a plain-text handler
            # of their own; at INFO they would log every packet, message contents included.
            "socketio.server": {"level": "WARNING"},
            "engineio.server": {"level": "WARNING"},
            "sqlalchemy.engine": {"level": "WARNING"},
            "alembic": {"level": "WARNING"},
        },
    }


def _log_uncaught_exception(logger: Any, scope: Any, _traceback: list[str]) -> None:
    logger.exception("uncaught exception", extra={"method": scope.get("method"), "path": scope.get("path")})


@dataclass
class InheritedLogging(BaseLoggingConfig):
    """Litestar logs through the handlers already installed (the JSON ones) and logs every uncaught exception."""

    log_exceptions: Literal["always", "debug", "never"] = "always"
    traceback_line_limit: int = -1
    exception_logging_handler: ExceptionLoggingHandler | None = _log_uncaught_exception
    disable_stack_trace: set[int | type[Exception]] = field(default_factory=set)

    def configure(self) -> Callable[[str], logging.Logger]:
        return logging.getLogger

    @staticmethod
    def set_level(logger: Any, level: int) -> None:
        logger.setLevel(level)


def litestar_logging_config(settings: Settings) -> BaseLoggingConfig:
    """With `LOG_JSON` on, keep the JSON handlers; otherwise Litestar's default (plain text)."""
    return InheritedLogging() if settings.log_json else LoggingConfig()
