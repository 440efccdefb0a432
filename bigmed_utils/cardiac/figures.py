"""Figures of the sudden-cardiac-death analysis: the family's pedigree and QTc trend, the cohort's diagnostic
yield and QTc by genotype; ids drawn inside figures can carry keyed pseudonyms.

Research use only; not a medical device.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import pandas as pd

from .cohort import plot_diagnostic_yield, plot_qtc_by_genotype
from .ecg import plot_qtc_trend
from .pedigree import Pedigree
from .pedigree_plot import draw_pedigree


def figure_labels(ids: Iterable[str], *, pseudonymise: bool) -> dict[str, str]:
    """Labels for ids drawn inside figures. Figures are images, which the runner's pseudonymisation of text
    outputs cannot reach, so with ``pseudonymise`` they carry the same keyed pseudonyms
    (:func:`bigmed_utils.privacy.pseudonyms.pseudonym`, key from ``$BIGMED_PSEUDONYM_KEY_FILE``) from the
    start."""
    ids = [str(i) for i in ids]
    if not pseudonymise:
        return {i: i for i in ids}
    from ..privacy.pseudonyms import load_key, pseudonym

    key = load_key()
    return {i: pseudonym(i, key=key) for i in ids}


def family_figures(*, family_id: str, pedigree: Pedigree, proband: str, familial: Mapping[str, Any] | None,
                   carriers: list[str], deceased: set[str], visits: pd.DataFrame,
                   pseudonymise: bool) -> dict[str, Any]:
    """``{"pedigree": Figure, "qtc_trend": Figure or None}`` of one family (closed: show them with
    ``display``); ``carriers`` are drawn as carriers of the familial variant."""
    import matplotlib.pyplot as plt

    figures: dict[str, Any] = {}
    names = figure_labels([family_id, *pedigree.order], pseudonymise=pseudonymise)
    change = f": {familial['gene']} {familial['hgvsp'] or familial['hgvsc'] or ''}" if familial else ""
    fig = draw_pedigree(pedigree, proband=proband, carriers=carriers, deceased=sorted(deceased),
                        labels={k: v.replace("-", "-\n", 1) if pseudonymise else v for k, v in names.items()},
                        title=f"Family {names[family_id]}{change}")
    plt.close(fig)
    figures["pedigree"] = fig
    if not visits.empty:
        fig = plot_qtc_trend(visits.assign(person_id=visits["person_id"].map(lambda i: names.get(i, i))))
        plt.close(fig)
        figures["qtc_trend"] = fig
    else:
        figures["qtc_trend"] = None
    return figures


def cohort_figures(yield_table: pd.DataFrame, qtc_genotype: pd.DataFrame) -> dict[str, Any]:
    """``"diagnostic_yield"`` and ``"qtc_by_genotype"`` Figures of a cohort (each only when its table has rows)."""
    import matplotlib.pyplot as plt

    figures: dict[str, Any] = {}
    if not yield_table.empty:
        fig = plot_diagnostic_yield(yield_table)
        plt.close(fig)
        figures["diagnostic_yield"] = fig
    if not qtc_genotype.empty:
        fig = plot_qtc_by_genotype(qtc_genotype, hue="condition")
        fig.axes[0].set_title("QTc by genotype for each family's leading variant")
        plt.close(fig)
        figures["qtc_by_genotype"] = fig
    return figures
