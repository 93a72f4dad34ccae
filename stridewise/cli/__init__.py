"""The `stridewise` command line: a thin shell over the library's sub-packages."""

from stridewise.cli.main import app

__all__ = ["app"]
