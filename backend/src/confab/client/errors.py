"""Why a client command failed, each with the exit code the `confab` command documents."""

from __future__ import annotations

# Exit codes of every client command (README "The confab command").
OK = 0
SERVER_REFUSED = 1
USAGE = 2
UNREACHABLE = 3
NOT_LOGGED_IN = 4


class ClientError(Exception):
    """A failure worth one line on stderr; `exit_code` is what `confab` exits with."""

    exit_code = SERVER_REFUSED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ServerRefused(ClientError):
    """The server answered with an error status; `message` is its `detail`."""

    exit_code = SERVER_REFUSED

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code


class UsageError(ClientError):
    exit_code = USAGE


class Unreachable(ClientError):
    exit_code = UNREACHABLE


class NotLoggedIn(ClientError):
    exit_code = NOT_LOGGED_IN
