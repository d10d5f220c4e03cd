"""Backups of the embedded SQLite database: a consistent copy of a live file, and putting one back.

A copy of the file with `cp` can catch a write halfway, and misses whatever still sits in the WAL;
SQLite's online backup API copies one consistent snapshot while the server keeps writing. PostgreSQL
has `pg_dump`/`pg_restore` for the same job (see the README's Operating section).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from confab.db.engine import VERSION_TABLE


class BackupError(Exception):
    """A backup or restore that was refused; the message says why, for the person at the terminal."""


def sqlite_database_path(database_url: str) -> Path:
    """The file behind a SQLite `DATABASE_URL`; anything else is refused with the way to back it up."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"DATABASE_URL is {url.get_backend_name()}: back it up with pg_dump (see the README, Operating)"
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("DATABASE_URL names an in-memory database: there is nothing to back up")
    return Path(url.database)


def _serving_lock_path(database: Path) -> Path:
    # A file of its own: a lock on the database file itself would share SQLite's file descriptors' fate.
    return database.with_name(database.name + ".serving")


@contextlib.contextmanager
def serving(database_url: str) -> Iterator[None]:
    """Held by every server process while it runs on a SQLite file (a shared lock, so workers coexist);
    `restore` takes it exclusively to refuse writing under a live server. The kernel drops it on a crash."""
    try:
        database = sqlite_database_path(database_url)
    except BackupError:  # PostgreSQL or in-memory: nothing on disk to guard
        yield
        return
    with _serving_lock_path(database).open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_SH)
        yield


def _check_database(path: Path) -> None:
    """Refuse a file that is not a whole confab database: a restore must never leave a broken one behind."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            (verdict,) = connection.execute("PRAGMA integrity_check").fetchone()
            has_schema = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (VERSION_TABLE,)
            ).fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from error
    if verdict != "ok":
        raise BackupError(f"{path} is damaged: {verdict}")
    if not has_schema:
        raise BackupError(f"{path} is not a confab database (it has no {VERSION_TABLE} table)")


def back_up(database: Path, destination: Path) -> None:
    """Copy one consistent snapshot of `database` (live or not) to `destination`, which must not exist yet.

    The copy is written beside the destination and renamed into place once checked, so a failed or
    interrupted backup never leaves a file that looks like a good one.
    """
    if not database.exists():
        raise BackupError(f"{database} does not exist")
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose a new name, a backup never overwrites")
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as source,
            contextlib.closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)  # all pages in one step: one read transaction, so one snapshot
        _check_database(partial)
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)


def restore(backup: Path, database: Path) -> None:
    """Replace `database`'s contents with `backup`'s, refusing while a server runs on it."""
    if not backup.exists():
        raise BackupError(f"{backup} does not exist")
    _check_database(backup)
    with _serving_lock_path(database).open("a") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"a confab server is running on {database}: stop it before restoring") from None
        # Through SQLite rather than a file copy, so a leftover WAL of the old contents cannot replay over it.
        with (
            contextlib.closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as source,
            contextlib.closing(sqlite3.connect(database)) as target,
        ):
            source.backup(target)
