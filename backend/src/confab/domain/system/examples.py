"""Example bodies for the probes and the service index in openapi.json."""

from litestar.openapi.spec import Example

from confab import __version__

ALIVE = Example(summary="The database answers", value={"alive": True})
VERSION = Example(summary="The running version", value={"version": __version__})
INDEX = Example(
    summary="Where to go next",
    value={"name": "confab", "version": __version__, "docs": "/schema", "openapi": "/schema/openapi.json"},
)
