"""nbval settings for the teaching notebooks, which keep the outputs of their key cells.

The sanitize file (paths, timestamps, memory addresses) is passed to nbval here, so that a plain ``pytest``
from any folder uses it; an explicit ``--nbval-sanitize-with`` on the command line wins. nbval reads the
option when a notebook's kernel starts (after collection), and it only affects compared outputs: the
analysis notebooks in ``notebooks/`` store none.
"""

from __future__ import annotations

from pathlib import Path

SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")


def pytest_collection_modifyitems(config, items):
    if getattr(config.option, "nbval_sanitize_with", "unset") is None:
        config.option.nbval_sanitize_with = str(SANITIZE)
