"""bigmed_utils: the tested logic behind the BigMed research notebooks.

Research use only; not a medical device.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("bigmed-utils")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from .errors import *  # noqa: F401,F403  (the exception hierarchy is part of the flat API)
from .hail_session import init_hail

__all__ = ["__version__", "init_hail"]
