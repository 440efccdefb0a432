"""Access to the reference data bundled in ``bigmed_utils/data`` (see ``data/MANIFEST.yaml``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ReferenceDataError


def data_path(*parts: str) -> Path:
    """Path of a bundled data file, e.g. ``data_path("genes", "mane_select_grch38.tsv.gz")``.

    The package is installed as files (``pip install -e .`` or a wheel), so the traversable is a real path.
    """
    path = Path(str(resources.files("bigmed_utils").joinpath("data", *parts)))
    if not path.exists():
        raise ReferenceDataError(f"bundled reference file missing: bigmed_utils/data/{'/'.join(parts)}")
    return path
