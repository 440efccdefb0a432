"""Access to the reference data bundled in ``bigmed_utils/data`` (see ``data/MANIFEST.yaml``).

``$BIGMED_DATA_DIR`` names another folder laid out like ``bigmed_utils/data`` (its own ``MANIFEST.yaml``
and every file it lists): a lab that installs a newer knowledge release (a knowledge base, gene panels)
without upgrading the package points this variable at it. Every run records the versions and sha256 of
the files it used (:mod:`bigmed_utils.knowledge`), so ``bigmed reanalyse`` finds the cases it changes.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .errors import ReferenceDataError

ENV_DATA_DIR = "BIGMED_DATA_DIR"


def data_dir() -> Path:
    """The reference-data folder: ``$BIGMED_DATA_DIR`` when set, else the package's bundled ``data/``."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        folder = Path(env).expanduser()
        if not (folder / "MANIFEST.yaml").is_file():
            raise ReferenceDataError(f"{ENV_DATA_DIR}={env}: not a reference-data folder (no MANIFEST.yaml)")
        return folder
    return Path(str(resources.files("bigmed_utils").joinpath("data")))


def data_path(*parts: str) -> Path:
    """Path of a bundled data file, e.g. ``data_path("genes", "mane_select_grch38.tsv.gz")``.

    The package is installed as files (``pip install -e .`` or a wheel), so the traversable is a real path.
    """
    path = data_dir().joinpath(*parts)
    if not path.exists():
        where = os.environ.get(ENV_DATA_DIR) or "bigmed_utils/data"
        raise ReferenceDataError(f"bundled reference file missing: {where}/{'/'.join(parts)}")
    return path
