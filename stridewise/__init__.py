"""stridewise: early warning of hip overuse injury from running-watch FIT files."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stridewise")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
