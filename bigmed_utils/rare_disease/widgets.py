"""An ipywidgets explorer over all candidates of a case (JupyterLab).

Filters: inheritance mode, maximum population AF, consequence, ACMG class and a gene search; the table
below updates on every change. In a static report (``bigmed run``) widgets cannot run, so
:func:`show_explorer` displays a one-line note there instead (the report's content is the top-N table).
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from ..genomics.acmg import CLASSES
from ..genomics.inheritance import MODES

#: columns the explorer shows
EXPLORER_COLUMNS = ["rank", "gene", "variant_id", "hgvsc", "hgvsp", "consequence", "mode", "max_af", "acmg_class",
                    "acmg_codes", "phenotype_score", "best_disease_name", "inhouse_count", "score"]


def filter_candidates(
    candidates: pd.DataFrame,
    *,
    modes: tuple[str, ...] | list[str] = (),
    max_af: float | None = None,
    consequences: tuple[str, ...] | list[str] = (),
    classes: tuple[str, ...] | list[str] = (),
    gene: str = "",
) -> pd.DataFrame:
    """The rows of ``candidates`` passing the explorer's filters (empty selections mean 'any').

    ``gene`` matches case-insensitively as a prefix of the gene symbol.
    """
    df = candidates
    keep = pd.Series(True, index=df.index)
    if modes:
        keep &= df["mode"].isin(list(modes))
    if max_af is not None:
        keep &= df["max_af"].astype(float).fillna(0.0) <= max_af
    if consequences:
        keep &= df["consequence"].isin(list(consequences))
    if classes:
        keep &= df["acmg_class"].isin(list(classes))
    if gene.strip():
        keep &= df["gene"].fillna("").str.upper().str.startswith(gene.strip().upper())
    return df[keep]


def candidate_explorer(candidates: pd.DataFrame) -> Any:
    """An ipywidgets ``VBox`` with the filters and the filtered table."""
    import ipywidgets as w
    from IPython.display import display

    cols = [c for c in EXPLORER_COLUMNS if c in candidates]
    consequences = sorted(candidates["consequence"].dropna().unique()) if len(candidates) else []
    mode = w.SelectMultiple(options=[m for m in MODES], description="Mode", rows=5)
    af = w.FloatLogSlider(value=0.02, base=10, min=-6, max=-1, step=0.25, description="Max AF", readout_format=".1e")
    cons = w.SelectMultiple(options=consequences, description="Consequence", rows=min(6, max(2, len(consequences))))
    cls = w.SelectMultiple(options=list(CLASSES), description="ACMG class", rows=5)
    gene = w.Text(placeholder="gene symbol", description="Gene")
    out = w.Output()

    def refresh(*_: Any) -> None:
        table = filter_candidates(candidates, modes=mode.value, max_af=af.value, consequences=cons.value,
                                  classes=cls.value, gene=gene.value)
        out.clear_output(wait=True)
        with out:
            display(w.HTML(f"<b>{len(table)}</b> of {len(candidates)} candidate rows"))
            display(table[cols].set_index("rank") if len(table) else pd.DataFrame(columns=cols))

    for widget in (mode, af, cons, cls, gene):
        widget.observe(refresh, names="value")
    refresh()
    return w.VBox([w.HBox([mode, cls]), w.HBox([cons, w.VBox([af, gene])]), out])


def show_explorer(candidates: pd.DataFrame) -> Any:
    """The explorer in JupyterLab; a short Markdown note in a batch run (``bigmed run`` sets
    ``BIGMED_OUTPUT_DIR``), where a static report cannot run widgets."""
    from IPython.display import Markdown

    if os.environ.get("BIGMED_OUTPUT_DIR"):
        return Markdown(
            f"_The interactive explorer over all {len(candidates)} candidate rows (filters on mode, allele "
            "frequency, consequence, ACMG class; gene search) runs when this notebook is opened in JupyterLab; "
            "all candidates are also in summary.json._"
        )
    return candidate_explorer(candidates)


__all__ = ["EXPLORER_COLUMNS", "candidate_explorer", "filter_candidates", "show_explorer"]
