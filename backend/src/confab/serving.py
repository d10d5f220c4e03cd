"""`confab serve`: the production server (uvicorn workers, no reload, JSON logs), with its refusals."""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import os
import signal
import sys

from confab.settings import Settings, get_settings

logger = logging.getLogger("confab.serve")

WORKER_HEALTHCHECK_SECONDS = 30


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
    # uvicorn drains on SIGTERM, then re-raises the signal to die by it; a completed drain is a clean
    # stop, so the re-raised SIGTERM is absorbed and the process exits 0.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: None)
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
        # uvicorn restarts a worker that does not answer its supervisor's ping within this many seconds; its
        # default, 5, is shorter than a new worker's start on a busy machine, which then restarts forever.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    return 0


def add_serve_command(commands: argparse._SubParsersAction) -> None:
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
