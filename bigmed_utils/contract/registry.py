"""Find the analyses without a list to edit: every ``bigmed_utils`` subpackage with a ``contract`` module
that defines ``ANALYSIS`` (an :class:`~bigmed_utils.contract.base.Analysis` instance) is one.

Only the ``contract`` modules are imported (they import the parameter models, never Hail), so listing the
analyses stays quick for ``bigmed params`` and the runner's parameter check.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from pathlib import Path
from typing import Any, Mapping

from ..errors import ParameterError
from .base import Analysis, Result

#: name of the module of an analysis package that defines ``ANALYSIS``
CONTRACT_MODULE = "contract"

_found: dict[str, Analysis] | None = None


def _discover() -> dict[str, Analysis]:
    import bigmed_utils

    found: dict[str, Analysis] = {}
    for package in sorted(pkgutil.iter_modules(bigmed_utils.__path__), key=lambda m: m.name):
        if not package.ispkg or package.name == CONTRACT_MODULE:
            continue
        folder = Path(package.module_finder.path) / package.name  # type: ignore[union-attr]
        if not any(m.name == CONTRACT_MODULE for m in pkgutil.iter_modules([str(folder)])):
            continue
        module = import_module(f"bigmed_utils.{package.name}.{CONTRACT_MODULE}")
        analysis = getattr(module, "ANALYSIS", None)
        if not isinstance(analysis, Analysis):
            raise TypeError(f"{module.__name__}.ANALYSIS must be an Analysis instance, not {type(analysis).__name__}")
        if analysis.id in found:
            raise TypeError(f"two analyses with the id {analysis.id!r}: {module.__name__} and {type(found[analysis.id]).__module__}")
        found[analysis.id] = analysis
    return found


def analyses() -> dict[str, Analysis]:
    """Every analysis, by id (found once per process)."""
    global _found
    if _found is None:
        _found = _discover()
    return dict(_found)


def get_analysis(analysis_id: str) -> Analysis:
    """The analysis ``analysis_id``; :class:`ParameterError` naming the known ones otherwise."""
    found = analyses()
    if analysis_id not in found:
        raise ParameterError(f"unknown analysis '{analysis_id}' (known: {', '.join(sorted(found))})")
    return found[analysis_id]


def analyse(analysis_id: str, params: Any | Mapping[str, Any]) -> Result:
    """Run the analysis ``analysis_id`` on ``params`` (a validated model or a mapping) in this process.

    The parameters are validated, the input files checked and Hail started (when the analysis needs it)
    before the analysis itself runs. In a notebook::

        params = bm.params_from_namespace("rare_disease", globals())
        result = bm.analyse("rare_disease", params)
    """
    return get_analysis(analysis_id).run(params)


__all__ = ["analyse", "analyses", "get_analysis", "CONTRACT_MODULE"]
