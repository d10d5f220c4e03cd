"""confab: a small self-hostable chat backend."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("confab")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
