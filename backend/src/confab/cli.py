"""The `confab` command: server chores (migrate, openapi, serve) and a small chat client (`confab.client`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from confab.serving import add_serve_command

EXIT_CODES = """exit codes:
  0  done
  1  the server refused (its reason is printed)
  2  wrong usage
  3  cannot reach the server
  4  not logged in, or the stored token was refused
"""


def migrate(_arguments: argparse.Namespace) -> int:
    from confab.db.schema import upgrade
    from confab.settings import get_settings

    upgrade(get_settings())
    return 0


def _on_sqlite_database(action: Callable[[Path], None], done: str) -> int:
    """Run a backup chore on DATABASE_URL's SQLite file; a refusal is one line on stderr and exit code 1."""
    from confab.db.backup import BackupError, sqlite_database_path
    from confab.settings import get_settings

    try:
        action(sqlite_database_path(get_settings().database_url))
    except BackupError as error:
        sys.stderr.write(f"confab: {error}\n")
        return 1
    sys.stderr.write(f"confab: {done}\n")
    return 0


def back_up(arguments: argparse.Namespace) -> int:
    from confab.db.backup import back_up

    return _on_sqlite_database(
        lambda database: back_up(database, Path(arguments.path)), f"backed up to {arguments.path}"
    )


def restore(arguments: argparse.Namespace) -> int:
    from confab.db.backup import restore

    return _on_sqlite_database(
        lambda database: restore(Path(arguments.path), database),
        f"restored from {arguments.path} (run `confab migrate` if the backup is older than this version)",
    )


def reindex(_arguments: argparse.Namespace) -> int:
    """Rebuild the message search index of DATABASE_URL from the messages as stored."""
    import asyncio

    from confab.db.engine import create_database_config
    from confab.domain.search.index import rebuild
    from confab.settings import get_settings

    async def run() -> None:
        config = create_database_config(get_settings())
        try:
            async with config.get_session() as session:
                await rebuild(session)
        finally:
            await config.get_engine().dispose()

    asyncio.run(run())
    sys.stderr.write("confab: search index rebuilt\n")
    return 0


def export_openapi(arguments: argparse.Namespace) -> int:
    """Write the OpenAPI document the code describes, sorted so diffs stay readable."""
    import msgspec

    from confab.app import create_app

    # msgspec first: the examples are real response Structs, whose null fields must stay in.
    document = json.loads(msgspec.json.encode(create_app().openapi_schema.to_schema()))
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if arguments.output == "-":
        sys.stdout.write(text)
    else:
        Path(arguments.output).write_text(text)
    return 0


def add_server_chores(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("migrate", help="upgrade the database (DATABASE_URL) to the latest schema").set_defaults(
        run=migrate
    )
    backup = commands.add_parser("backup", help="copy the live SQLite database (DATABASE_URL) to a new file")
    backup.add_argument("path", help="the file to create (never overwritten)")
    backup.set_defaults(run=back_up)
    restore_parser = commands.add_parser(
        "restore", help="replace the SQLite database (DATABASE_URL) with a backup; the server must be stopped"
    )
    restore_parser.add_argument("path", help="a file made by `confab backup`")
    restore_parser.set_defaults(run=restore)
    commands.add_parser("reindex", help="rebuild the message search index (DATABASE_URL)").set_defaults(run=reindex)
    openapi = commands.add_parser("openapi", help="print or write the OpenAPI document")
    openapi.add_argument("--output", "-o", default="-", help="file to write, or - for stdout")
    openapi.set_defaults(run=export_openapi)
    add_serve_command(commands)


def add_client_commands(commands: argparse._SubParsersAction) -> None:
    from confab.client import commands as client
    from confab.client import demo

    server = argparse.ArgumentParser(add_help=False)
    server.add_argument("--url", default=argparse.SUPPRESS, help="the confab server (default: $CONFAB_URL)")
    password = argparse.ArgumentParser(add_help=False)
    password.add_argument("--password", help="the password (visible to other local users: prefer the prompt)")
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin"
    )
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print the server's JSON instead of lines")

    def add(name: str, run, summary: str, parents=()) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=summary, description=summary, parents=[server, *parents])
        parser.set_defaults(run=run)
        return parser

    signup = add("signup", client.sign_up, "create an account, then log in with it", [password])
    signup.add_argument("nickname")
    signup.add_argument("--email", required=True)
    signup.add_argument("--name", help="display name (default: the nickname)")
    add("login", client.log_in, "log in and store the token for this server", [password]).add_argument("nickname")
    logout = add("logout", client.log_out, "end this session on the server and forget its token")
    scope = logout.add_mutually_exclusive_group()
    scope.add_argument("--others", action="store_true", help="end every other session instead, and stay logged in")
    scope.add_argument("--all", action="store_true", help="end every other session, then this one")
    sessions = add("sessions", client.list_sessions, "list your sessions (devices logged in)", [as_json])
    sessions_commands = sessions.add_subparsers(dest="sessions_command", metavar="command")
    end = sessions_commands.add_parser(
        "end", help="end one session by its id", description="end one session by its id", parents=[server]
    )
    end.set_defaults(run=client.end_session)
    end.add_argument("session_id", metavar="ID", help="the id `confab sessions` shows")
    add("whoami", client.who_am_i, "show the account you are logged in as", [as_json])
    profile = add(
        "profile",
        client.profile,
        "show your profile, or change your name, status, email or avatar",
        [as_json, password],
    )
    profile.add_argument("--name", help="your new display name")
    profile.add_argument("--status", help='a short line about what you are up to ("" clears it)')
    profile.add_argument("--email", help="your new email address (asks for your password)")
    profile.add_argument("--avatar", metavar="PATH", help="upload this image and make it your avatar")
    profile.add_argument("--no-avatar", action="store_true", help="remove your avatar")
    add(
        "close-account",
        client.close_account,
        "close your account for good (asks for your password); your messages stay, as Deleted user",
        [password],
    )
    users = add("users", client.list_users, "list or find people, with presence and unread counts", [as_json])
    which_people = users.add_mutually_exclusive_group()
    which_people.add_argument(
        "--search", metavar="TEXT", help="people whose nickname or a word of whose name starts so"
    )
    which_people.add_argument(
        "--conversations", action="store_true", help="only people you have DMs with, most recent first"
    )
    users.add_argument("--limit", type=int, help="a page of this many (1 to 200; 50 with --search or --conversations)")
    users.add_argument("--cursor", help="the next page, as the previous page said on stderr")
    add("rooms", client.list_rooms, "list your rooms, with their last message", [as_json])

    send = add("send", client.send, "send a direct message or post to a room")
    target = send.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", metavar="NICKNAME", help="send a direct message to this person")
    target.add_argument("--room", metavar="ROOM", help="post to this room (name or id)")
    send.add_argument("--client-id", help="an id of yours that makes a retry harmless (8-64 of A-Z a-z 0-9 _ -)")
    send.add_argument(
        "--thread", type=int, metavar="ID", help="reply in the thread of this message (of the same DM or room)"
    )
    send.add_argument(
        "--file", action="append", default=[], metavar="PATH", help="attach this file (repeat for up to 10)"
    )
    send.add_argument("content", nargs="*", help="the text (- reads it from stdin); optional with --file")

    edit = add("edit", client.edit, "replace the text of one of your messages")
    edit.add_argument("id", type=int, help="the message id (as 'history' shows it: #12 is 12)")
    edit.add_argument("content", nargs="+", help="the new text (- reads it from stdin)")
    delete = add("delete", client.delete, "delete a message of yours (a room's owner: any in the room)")
    delete.add_argument("id", type=int, help="the message id")
    react = add("react", client.react, "react to a message with one emoji, or take it back", [as_json])
    react.add_argument("id", type=int, help="the message id")
    react.add_argument("emoji", help="one emoji, such as 👍")
    react.add_argument("--remove", action="store_true", help="take your reaction back")

    history = add("history", client.history, "show messages, oldest first", [as_json])
    which = history.add_mutually_exclusive_group()
    which.add_argument("--with", dest="peer", metavar="NICKNAME", help="only the conversation with this person")
    which.add_argument("--room", metavar="ROOM", help="this room's messages (name or id)")
    which.add_argument("--thread", type=int, metavar="ID", help="the replies in the thread of this message")
    history.add_argument("--limit", type=int, default=50, help="how many messages (1 to 200, default 50)")
    history.add_argument("--before", type=int, metavar="ID", help="only messages older than this id")
    history.add_argument("--after", type=int, metavar="ID", help="only messages newer than this id")

    search = add("search", client.search, "find messages you can read, newest first", [as_json])
    search.add_argument("query", help='words, "phrases", -word, from:, with:, in:, before:, after:, has:link')
    search.add_argument("--limit", type=int, default=20, help="how many results (1 to 100, default 20)")
    search.add_argument("--before", type=int, metavar="ID", help="the next page, as the previous page said on stderr")

    mentions = add("mentions", client.mentions, "messages that mention me (@nickname, @room), newest first", [as_json])
    mentions.add_argument("--limit", type=int, default=20, help="how many messages (1 to 200, default 20)")
    mentions.add_argument("--before", type=int, metavar="ID", help="the next page, as the previous page said on stderr")

    tail = add("tail", client.tail, "print messages and changes to them as they arrive, until Ctrl-C")
    tail.add_argument("--since", type=int, metavar="ID", help="first replay the messages after this message id")

    add("demo", demo.fill, "fill the server with the tutorial's alice, bob, charlie, messages and a room")
    demo_message = add("demo-message", demo.send_message, "send one more message to alice from charlie")
    demo_message.add_argument("content", nargs="*", help="the text (default: a greeting with the time)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="confab",
        description="confab chat: server chores and a command-line client.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--url", help="the confab server for client commands (default: $CONFAB_URL, else http://127.0.0.1:8000)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    add_server_chores(commands)
    add_client_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from confab.client.errors import ClientError

    arguments = build_parser().parse_args(argv)
    try:
        return arguments.run(arguments)
    except ClientError as error:
        sys.stderr.write(f"confab: {error.message}\n")
        return error.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
