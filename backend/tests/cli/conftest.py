"""Fixtures for driving the `confab` command: a private config dir and a way to run it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.support.accounts import PASSWORD, Account
from tests.support.cli import Finished, run_confab

Confab = Callable[..., Awaitable[Finished]]


@pytest.fixture
def config_home(tmp_path: Path) -> Path:
    """Where this test's `confab` keeps its stored tokens (`$XDG_CONFIG_HOME`)."""
    return tmp_path / "config"


@pytest.fixture
def confab(config_home: Path) -> Confab:
    """Run `confab ...` to completion; `stdin` feeds it (for `--password-stdin`)."""

    async def run(*argv: str, stdin: str | None = None, environment: dict[str, str] | None = None) -> Finished:
        return await run_confab(*argv, config_home=config_home, stdin=stdin, environment=environment)

    return run


@pytest.fixture
def log_in_as(confab: Confab, server) -> Callable[[Account], Awaitable[None]]:
    """Log the CLI in as an account made with `make_user`."""

    async def log_in(account: Account) -> None:
        result = await confab("login", account.nickname, "--url", server.url, "--password-stdin", stdin=PASSWORD)
        assert result.exit_code == 0, result.stderr

    return log_in
