"""Cohort mutation figures: oncoplot, KRAS/BRAF mutual exclusivity, TMB by MSI status.

The oncoplot follows the maftools layout (Mayakonda et al., Genome Res 2018;28:1747-56): genes ranked by
the number of mutated tumours, one colour per ``Variant_Classification``, ``Multi_Hit`` for a gene hit by
more than one variant in a tumour, tumours sorted so that mutated blocks line up ("memo sort"), and
clinical annotation tracks (MSI status, tumour side) below.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError
from .tmb import NONSYNONYMOUS_CLASSES, TMB_HIGH_THRESHOLD

#: colours per variant class (maftools-like palette)
VARIANT_COLOURS: dict[str, str] = {
    "Missense_Mutation": "#33A02C",
    "Nonsense_Mutation": "#E31A1C",
    "Frame_Shift_Del": "#1F78B4",
    "Frame_Shift_Ins": "#6A3D9A",
    "In_Frame_Del": "#FFFF99",
    "In_Frame_Ins": "#B15928",
    "Splice_Site": "#FF7F00",
    "Translation_Start_Site": "#A6CEE3",
    "Nonstop_Mutation": "#FB9A99",
    "Silent": "#B2DF8A",
    "Multi_Hit": "#000000",
}
_TRACK_PALETTES = ["Set2", "Pastel1", "Set3", "Pastel2"]


def _check_maf(maf: pd.DataFrame) -> None:
    for col in ("Hugo_Symbol", "Tumor_Sample_Barcode", "Variant_Classification"):
        if col not in maf.columns:
            raise InputDataError(f"{maf.attrs.get('path', 'MAF table')}: missing column '{col}'")


def mutation_matrix(
    maf: pd.DataFrame,
    *,
    top_n: int = 20,
    genes: Sequence[str] | None = None,
    samples: Iterable[str] | None = None,
    variant_classes: Iterable[str] = NONSYNONYMOUS_CLASSES,
) -> pd.DataFrame:
    """Genes x tumours matrix of variant classes (``''`` = not mutated, ``Multi_Hit`` = several variants).

    Parameters
    ----------
    top_n
        Number of most frequently mutated genes (ignored when ``genes`` is given).
    samples
        All tumours of the cohort, so that tumours without counted variants appear as empty columns.
    """
    _check_maf(maf)
    if top_n < 1 and genes is None:
        raise ParameterError(f"top_n must be >= 1, got {top_n}")
    kept = maf[maf["Variant_Classification"].isin(set(variant_classes))]
    sample_list = list(dict.fromkeys(samples)) if samples is not None else list(dict.fromkeys(maf["Tumor_Sample_Barcode"]))
    kept = kept[kept["Tumor_Sample_Barcode"].isin(sample_list)]
    # one variant listed on several rows (e.g. per transcript) is one hit, not a Multi_Hit
    key = [c for c in ("Tumor_Sample_Barcode", "Chromosome", "Start_Position", "Reference_Allele",
                       "Tumor_Seq_Allele2") if c in kept.columns]
    kept = kept.drop_duplicates(subset=key + ["Hugo_Symbol"])
    per_cell = kept.groupby(["Hugo_Symbol", "Tumor_Sample_Barcode"])["Variant_Classification"].agg(
        lambda s: s.iloc[0] if len(s) == 1 else "Multi_Hit")
    n_mutated = per_cell.groupby(level=0).size()
    if genes is None:
        order = sorted(n_mutated.index, key=lambda g: (-n_mutated[g], g))[:top_n]
    else:
        order = list(genes)
    matrix = per_cell.unstack(fill_value="").reindex(index=order, columns=sample_list, fill_value="").fillna("")
    # memo sort: tumours ordered by their mutation pattern over the ranked genes
    binary = (matrix != "").astype(int)
    if len(binary):
        weights = 2.0 ** np.arange(len(binary))[::-1]
        score = (binary.to_numpy() * weights[:, None]).sum(axis=0)
        matrix = matrix.iloc[:, np.argsort(-score, kind="stable")]
    matrix.index.name = "gene"
    matrix.columns.name = "Tumor_Sample_Barcode"
    return matrix


def oncoplot(
    maf: pd.DataFrame,
    *,
    clinical: pd.DataFrame | None = None,
    top_n: int = 20,
    annotations: Sequence[str] = ("msi_status", "side"),
    samples: Iterable[str] | None = None,
    sample_to_patient: Mapping[str, str] | None = None,
    clinical_id_col: str = "patient_id",
    variant_classes: Iterable[str] = NONSYNONYMOUS_CLASSES,
    title: str | None = None,
):
    """Oncoplot of the ``top_n`` most mutated genes with clinical annotation tracks.

    Parameters
    ----------
    clinical
        Per-patient table holding ``clinical_id_col`` and the ``annotations`` columns.
    sample_to_patient
        Tumour barcode -> patient id (default: :func:`bigmed_utils.oncology.cohort.match_barcodes` on the
        clinical ids, e.g. ``CRC0001-T`` -> ``CRC0001``).

    Returns
    -------
    (matplotlib.figure.Figure, pandas.DataFrame)
        The figure and the genes x tumours matrix it shows.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from .cohort import match_barcodes

    if samples is None and clinical is not None and sample_to_patient is not None:
        samples = list(sample_to_patient)
    matrix = mutation_matrix(maf, top_n=top_n, samples=samples, variant_classes=variant_classes)
    tracks: dict[str, pd.Series] = {}
    if clinical is not None and annotations:
        if clinical_id_col not in clinical.columns:
            raise InputDataError(f"clinical table has no column '{clinical_id_col}'")
        mapping = dict(sample_to_patient) if sample_to_patient is not None else match_barcodes(
            matrix.columns, clinical[clinical_id_col].astype(str))
        by_patient = clinical.set_index(clinical[clinical_id_col].astype(str))
        for col in annotations:
            if col not in clinical.columns:
                raise InputDataError(f"clinical table has no annotation column '{col}'")
            tracks[col] = pd.Series([by_patient[col].get(mapping.get(s)) if mapping.get(s) in by_patient.index else None
                                     for s in matrix.columns], index=matrix.columns)

    classes = [c for c in VARIANT_COLOURS if (matrix == c).to_numpy().any()]
    classes += sorted({v for v in np.unique(matrix.to_numpy()) if v and v not in VARIANT_COLOURS})
    codes = {c: i + 1 for i, c in enumerate(classes)}
    numeric = matrix.apply(lambda col: col.map(lambda v: codes.get(v, 0))).astype(int)
    colours = ["#EDEDED"] + [VARIANT_COLOURS.get(c, "#777777") for c in classes]

    n_genes, n_samples = matrix.shape
    height = 1.6 + 0.28 * max(n_genes, 1) + 0.3 * len(tracks)
    # wide enough to separate tumours, capped so that a cohort of hundreds still fits a report page
    fig = plt.figure(figsize=(min(16.0, max(7.0, 2.5 + 0.09 * n_samples)), height))
    grid = fig.add_gridspec(1 + len(tracks), 2, width_ratios=[6, 1],
                            height_ratios=[max(n_genes, 1)] + [0.8] * len(tracks), hspace=0.08, wspace=0.03)
    ax = fig.add_subplot(grid[0, 0])
    ax.imshow(numeric.to_numpy() if n_genes else np.zeros((1, max(n_samples, 1))), aspect="auto",
              cmap=ListedColormap(colours), vmin=0, vmax=len(colours) - 1, interpolation="nearest")
    ax.set_yticks(range(n_genes))
    ax.set_yticklabels(matrix.index, fontstyle="italic")
    ax.set_xticks([])
    if n_samples > 1:
        ax.set_xticks(np.arange(-0.5, n_samples, 1), minor=True)
        ax.grid(which="minor", axis="x", color="white", linewidth=0.3)
    ax.tick_params(which="minor", length=0)
    if title:
        ax.set_title(title)

    bar = fig.add_subplot(grid[0, 1], sharey=ax)
    pct = (matrix != "").mean(axis=1) * 100 if n_samples else pd.Series(0.0, index=matrix.index)
    bar.barh(range(n_genes), pct.to_numpy(), color="0.4")
    bar.set_xlabel("% mutated")
    bar.tick_params(labelleft=False)
    for spine in ("top", "right"):
        bar.spines[spine].set_visible(False)

    legend = [Patch(color=VARIANT_COLOURS.get(c, "#777777"), label=c.replace("_", " ")) for c in classes]
    for i, (name, values) in enumerate(tracks.items()):
        tax = fig.add_subplot(grid[1 + i, 0], sharex=ax)
        levels = sorted({str(v) for v in values.dropna()})
        palette = sns.color_palette(_TRACK_PALETTES[i % len(_TRACK_PALETTES)], max(len(levels), 1))
        level_code = {lvl: j + 1 for j, lvl in enumerate(levels)}
        row = np.array([[level_code.get(str(v), 0) if pd.notna(v) else 0 for v in values]])
        tax.imshow(row, aspect="auto", interpolation="nearest",
                   cmap=ListedColormap(["#FFFFFF"] + [palette[j] for j in range(len(levels))]),
                   vmin=0, vmax=max(len(levels), 1))
        tax.set_yticks([0])
        tax.set_yticklabels([name])
        tax.set_xticks([])
        legend += [Patch(color=palette[j], label=f"{name}: {lvl}") for j, lvl in enumerate(levels)]
    fig.legend(handles=legend, loc="lower center", ncol=min(4, max(len(legend), 1)), frameon=False,
               fontsize=8, bbox_to_anchor=(0.45, -0.02))
    fig.subplots_adjust(bottom=0.12 + 0.03 * (len(legend) // 4 + 1), left=0.12, right=0.97, top=0.93)
    return fig, matrix


# ----------------------------------------------------------------------------------------------------------
# Mutual exclusivity
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExclusivityResult:
    """2x2 co-mutation table of two genes with Fisher's exact test (scipy.stats.fisher_exact).

    ``p_value`` is two-sided; ``p_exclusive`` is the one-sided p for fewer co-mutated tumours than
    expected (odds ratio < 1), the direction of mutual exclusivity."""

    gene_a: str
    gene_b: str
    both: int
    a_only: int
    b_only: int
    neither: int
    odds_ratio: float
    p_value: float
    p_exclusive: float

    @property
    def mutually_exclusive(self) -> bool:
        return self.odds_ratio < 1 and self.p_exclusive < 0.05

    def to_dict(self) -> dict:
        d = asdict(self)
        d["odds_ratio"] = None if not np.isfinite(self.odds_ratio) else float(self.odds_ratio)
        return d


def _gene_status(df: pd.DataFrame, gene: str, samples: list[str], variant_classes: set[str]) -> pd.Series:
    if gene in df.columns:  # wide table: one boolean column per gene
        return df[gene].astype(bool)
    _check_maf(df)
    hit = df[(df["Hugo_Symbol"] == gene) & df["Variant_Classification"].isin(variant_classes)]
    mutated = set(hit["Tumor_Sample_Barcode"])
    return pd.Series([s in mutated for s in samples], index=samples)


def mutual_exclusivity(
    df: pd.DataFrame,
    gene_a: str = "KRAS",
    gene_b: str = "BRAF",
    *,
    samples: Iterable[str] | None = None,
    variant_classes: Iterable[str] = NONSYNONYMOUS_CLASSES,
) -> ExclusivityResult:
    """Fisher's exact test for co-occurrence or mutual exclusivity of two genes' mutations.

    ``df`` is a MAF table (then ``samples`` should list every sequenced tumour: a tumour with no MAF row
    is a double negative) or a wide per-tumour table with boolean columns named after the genes.
    """
    from scipy.stats import fisher_exact

    vc = set(variant_classes)
    if gene_a in df.columns and gene_b in df.columns:
        a = df[gene_a].astype(bool).to_numpy()
        b = df[gene_b].astype(bool).to_numpy()
    else:
        sample_list = list(dict.fromkeys(samples)) if samples is not None else list(dict.fromkeys(df["Tumor_Sample_Barcode"]))
        a = _gene_status(df, gene_a, sample_list, vc).to_numpy()
        b = _gene_status(df, gene_b, sample_list, vc).to_numpy()
    both, a_only = int((a & b).sum()), int((a & ~b).sum())
    b_only, neither = int((~a & b).sum()), int((~a & ~b).sum())
    table = [[both, a_only], [b_only, neither]]
    odds, p_two = fisher_exact(table, alternative="two-sided")
    _, p_less = fisher_exact(table, alternative="less")
    return ExclusivityResult(gene_a, gene_b, both, a_only, b_only, neither, float(odds), float(p_two), float(p_less))


# ----------------------------------------------------------------------------------------------------------
# TMB by MSI status
# ----------------------------------------------------------------------------------------------------------


def tmb_by_msi_plot(
    df: pd.DataFrame,
    *,
    tmb_col: str = "tmb",
    msi_col: str = "msi_status",
    threshold: float = TMB_HIGH_THRESHOLD,
    highlight: str | None = None,
    id_col: str = "patient_id",
    ax=None,
):
    """Box and strip plot of TMB (mut/Mb, symmetric-log axis) per MSI status, with the TMB-high line.

    ``highlight`` marks one patient (``id_col`` value), e.g. the patient of a tumour-board report.
    Returns the Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    for col in (tmb_col, msi_col):
        if col not in df.columns:
            raise InputDataError(f"TMB table has no column '{col}'")
    data = df[df[msi_col].notna()].copy()
    order = sorted(data[msi_col].astype(str).unique())
    data[msi_col] = data[msi_col].astype(str)
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.5, 4.5))
    else:
        fig = ax.figure
    with warnings.catch_warnings():  # seaborn 0.13 passes matplotlib 3.11's deprecated `vert` to bxp
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*vert.*")
        sns.boxplot(data=data, x=msi_col, y=tmb_col, order=order, ax=ax, color="0.85", showfliers=False)
    sns.stripplot(data=data, x=msi_col, y=tmb_col, order=order, ax=ax, color="0.25", size=3.5, jitter=0.25)
    ax.set_yscale("symlog", linthresh=1)
    ax.axhline(threshold, color="firebrick", linestyle="--", linewidth=1)
    ax.annotate(f"TMB-high ≥ {threshold:g}", xy=(0.02, threshold), xycoords=("axes fraction", "data"),
                va="bottom", color="firebrick", fontsize=8)
    if highlight is not None and id_col in data.columns and (data[id_col] == highlight).any():
        row = data[data[id_col] == highlight].iloc[0]
        ax.scatter([order.index(row[msi_col])], [row[tmb_col]], s=90, facecolors="none", edgecolors="crimson",
                   linewidths=2, zorder=5, label=str(highlight))
        ax.legend(frameon=False, fontsize=8)
    ax.set_xlabel("MSI status")
    ax.set_ylabel("TMB (mut/Mb)")
    fig.tight_layout()
    return fig


def msi_score_plot(
    scores: pd.Series | Sequence[float],
    *,
    threshold: float,
    patient_score: float | None = None,
    patient_label: str | None = None,
    ax=None,
):
    """Histogram of cohort MSI scores (% unstable sites) with the MSI-H threshold and one patient marked.

    Returns the Figure."""
    import matplotlib.pyplot as plt

    values = pd.to_numeric(pd.Series(scores), errors="coerce").dropna()
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 3.6))
    else:
        fig = ax.figure
    top = max([threshold * 2.0, float(values.max()) if len(values) else 0.0, patient_score or 0.0])
    ax.hist(values, bins=np.linspace(0, top * 1.05, 40), color="0.6", edgecolor="white")
    ax.axvline(threshold, color="firebrick", linestyle="--", linewidth=1)
    ax.annotate(f"MSI-H ≥ {threshold:g}", xy=(threshold, 0.95), xycoords=("data", "axes fraction"),
                xytext=(3, 0), textcoords="offset points", color="firebrick", fontsize=8, va="top")
    if patient_score is not None:
        ax.axvline(patient_score, color="crimson", linewidth=2, label=patient_label or "patient")
        ax.legend(frameon=False, fontsize=8, loc="center right")
    ax.set_xlabel("MSI score (% unstable microsatellite sites)")
    ax.set_ylabel("Tumours")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    fig.tight_layout()
    return fig


__all__ = [
    "msi_score_plot",
    "VARIANT_COLOURS",
    "mutation_matrix",
    "oncoplot",
    "ExclusivityResult",
    "mutual_exclusivity",
    "tmb_by_msi_plot",
]
