"""Stored bearer tokens, one per server URL, in a file only the user can read."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Login:
    """What `confab login` remembers about one server."""

    token: str
    nickname: str
    user_id: int


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/confab`, or `~/.config/confab` when that variable is unset."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "confab"


def credentials_path() -> Path:
    return config_dir() / "credentials.json"


def _read_all() -> dict[str, dict[str, object]]:
    path = credentials_path()
    if not path.is_file():
        return {}
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


def _write_all(logins: dict[str, dict[str, object]]) -> None:
    """Write through a 0600 temporary file and rename it, so the token is never readable by others."""
    path = credentials_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(logins, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def load(server_url: str) -> Login | None:
    entry = _read_all().get(server_url)
    if not isinstance(entry, dict):
        return None
    try:
        return Login(token=str(entry["token"]), nickname=str(entry["nickname"]), user_id=int(entry["user_id"]))
    except (KeyError, TypeError, ValueError):
        return None


def save(server_url: str, login: Login) -> Path:
    logins = _read_all()
    logins[server_url] = asdict(login)
    _write_all(logins)
    return credentials_path()


def forget(server_url: str) -> bool:
    """Remove the stored login for `server_url`; False when there was none."""
    logins = _read_all()
    if logins.pop(server_url, None) is None:
        return False
    _write_all(logins)
    return True
