"""The `confab` command: server chores (migrate, openapi, serve) and, later, a small chat client."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import logging.config
import os
import sys
from pathlib import Path

from confab.settings import Settings, get_settings

logger = logging.getLogger("confab.serve")


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


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not available on macOS
        return os.cpu_count() or 1


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def why_workers_need_redis(workers: int) -> str:
    """The refusal `serve` prints when several workers would have no Redis to share events through."""
    return (
        f"confab serve: refusing to start {workers} workers without REDIS_URL. Each worker process has its own "
        "Socket.IO manager and its own presence table, so a message sent through one worker would never reach "
        "the sockets connected to another, and people would look offline to some workers. Set REDIS_URL "
        "(e.g. redis://127.0.0.1:6379/0) so the workers share events and presence, or run with WORKERS=1."
    )


async def _schema_problem(settings: Settings) -> str | None:
    """Why the database cannot be served (not migrated), or None; checked once, before any worker starts."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from confab.db.schema import SchemaNotCurrentError, assert_schema_current

    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        await assert_schema_current(engine)
    except SchemaNotCurrentError as error:
        return str(error)
    finally:
        await engine.dispose()
    return None


def serve(arguments: argparse.Namespace) -> int:
    """Production server: uvicorn with several workers, no reload, JSON logs on stdout."""
    # Workers are separate processes that read their settings from the environment: say it there.
    os.environ.setdefault("LOG_JSON", "on")
    get_settings.cache_clear()
    settings = get_settings()
    if arguments.workers > 1 and not settings.redis_url:
        print(why_workers_need_redis(arguments.workers), file=sys.stderr)
        return 2

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from confab.logging import json_logging_config

    # uvicorn applies the same configuration again in every worker, before the app is imported.
    log_config = json_logging_config() if settings.log_json else LOGGING_CONFIG
    logging.config.dictConfig(log_config)
    if not settings.log_json:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    problem = asyncio.run(_schema_problem(settings))
    if problem is not None:
        logger.error(problem)
        print(f"confab serve: {problem}", file=sys.stderr)
        return 1
    if arguments.workers > 1:
        logger.warning(
            "several workers share one port and the kernel picks a worker per TCP connection, so a "
            "Socket.IO client using HTTP long-polling may reach a worker that does not hold its session "
            "(400 'unknown session'); clients should use the WebSocket transport, or run WORKERS=1 per "
            "port behind a proxy with sticky sessions (see README 'Deploying')"
        )
    logger.info(
        "starting confab",
        extra={
            "host": arguments.host,
            "port": arguments.port,
            "workers": arguments.workers,
            "redis": bool(settings.redis_url),
            "database": settings.database_url.split(":", 1)[0],
        },
    )
    uvicorn.run(
        "confab.asgi:app",
        host=arguments.host,
        port=arguments.port,
        workers=arguments.workers,
        reload=False,
        log_config=log_config,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=max(1, round(settings.shutdown_grace_seconds)),
    )
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
    serving = commands.add_parser(
        "serve",
        help="run the production server (several workers need REDIS_URL)",
        description="uvicorn with WORKERS processes, no reload, JSON logs on stdout. Behind a proxy, set "
        "FORWARDED_ALLOW_IPS to its address so client addresses come from X-Forwarded-For.",
    )
    serving.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="address (env HOST)")
    serving.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)), help="port (env PORT)")
    serving.add_argument(
        "--workers",
        type=_positive_int,
        default=os.environ.get("WORKERS") or default_workers(),
        help="worker processes (env WORKERS, default: one per core)",
    )
    serving.set_defaults(run=serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    return arguments.run(arguments)


if __name__ == "__main__":
    raise SystemExit(main())
