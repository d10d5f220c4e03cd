"""The `confab` command: server chores (migrate, openapi) and, later, a small chat client."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from confab.settings import get_settings


def migrate(_arguments: argparse.Namespace) -> int:
    from confab.db.schema import upgrade

    upgrade(get_settings())
    return 0


def export_openapi(arguments: argparse.Namespace) -> int:
    """Write the OpenAPI document the code describes, sorted so diffs stay readable."""
    from confab.app import create_app

    document = create_app().openapi_schema.to_schema()
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if arguments.output == "-":
        sys.stdout.write(text)
    else:
        Path(arguments.output).write_text(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="confab", description="confab chat: server chores and client.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade the database (DATABASE_URL) to the latest schema").set_defaults(
        run=migrate
    )
    openapi = commands.add_parser("openapi", help="print or write the OpenAPI document")
    openapi.add_argument("--output", "-o", default="-", help="file to write, or - for stdout")
    openapi.set_defaults(run=export_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    return arguments.run(arguments)


if __name__ == "__main__":
    raise SystemExit(main())
