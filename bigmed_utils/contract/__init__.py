"""One analysis contract: :class:`Analysis` (parameters → :class:`Result`), Hail started in one place
(:func:`start_hail`) and a registry that finds every analysis package (:func:`analyses`, :func:`analyse`).

See README.md, "Architecture" and "Add an analysis".
"""

from .base import Analysis, Result, start_hail
from .registry import analyse, analyses, get_analysis

__all__ = ["Analysis", "Result", "analyse", "analyses", "get_analysis", "start_hail"]
