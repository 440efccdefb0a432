"""Panel screening of the joint VCF in Hail and the classification of a proband's candidates (pandas, per
family): frequency filter, consequence gate, variant-type scope, segregation (PP1 / BS4) and the ACMG/AMP class.

Research use only; not a medical device.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..genomics.acmg import classify_variants
from ..genomics.filters import GenotypeFilters, apply_genotype_filters
from .cascade import CARRIER, NON_CARRIER, UNTESTED, segregation
from .filtering import (
    FILTERED_COLUMNS,
    NO_BS1,
    choose_panel_row,
    population_annotation,
    screen_candidates,
    short_hgvs,
)
from .panels import CONDITION_LABELS, max_credible_af, normalise_condition, panel
from .pedigree import Pedigree
from .results import CLASS_RANK, DIAGNOSTIC_CLASSES, FINDING_COLUMNS, REPORTED_CLASSES

#: ClinGen panel inheritance -> mode of the ACMG engine
_PANEL_MODE = {"AD": "autosomal_dominant", "AR": "autosomal_recessive", "XL": "x_linked"}


def panel_table(conditions: Iterable[str]) -> pd.DataFrame:
    """The panel genes of ``conditions`` with their ``mode`` and ``max_credible_af`` (the maximum credible
    allele frequency of the frequency filter): monoallelic ceiling for dominant and X-linked genes, biallelic
    for recessive ones (Whiffin et al. 2017)."""
    keys = list(dict.fromkeys(normalise_condition(c) for c in conditions))
    table = panel(keys)
    table["mode"] = table["inheritance"].map(_PANEL_MODE).fillna("autosomal_dominant")
    table["max_credible_af"] = [
        max_credible_af(c, inheritance="biallelic") if m == "autosomal_recessive" else max_credible_af(c)
        for c, m in zip(table["condition"], table["mode"])
    ]
    return table


def screen_panel(
    mt: Any,
    *,
    samples: Sequence[str],
    probands: Sequence[str],
    panel_df: pd.DataFrame,
    filters: GenotypeFilters | None = None,
) -> pd.DataFrame:
    """Panel screening in Hail: rows in a panel gene, genotypes passing the filters, non-reference in at least
    one of ``probands``; columns restricted to ``samples``. No frequency filter here: the condition-specific
    frequency filter runs on these rows (:func:`bigmed_utils.cardiac.filtering.screen_candidates`), so that
    every removed variant can be listed with its reason.

    Returns
    -------
    pandas.DataFrame
        One row per variant: ``variant_id, gene, consequence, consequence_terms, impact, hgvsc, hgvsp,
        transcript, max_af`` (largest of every population field, NaN when absent; informative only),
        ``pop`` (population-frequency and SpliceAI field -> value for the variant's allele),
        ``revel, clin_sig`` and ``genotypes`` (sample -> ``'0/1'``-style call after the filters, None when
        missing or failed) plus ``gq``/``dp``/``ab`` dicts.
    """
    import hail as hl

    have = set(mt.s.collect())
    cols = [s for s in dict.fromkeys(samples) if s in have]
    genes = set(panel_df["gene"])
    mt = mt.filter_cols(hl.literal(set(cols)).contains(mt.s))
    mt = mt.filter_rows(hl.literal(genes).contains(mt.gene))
    mt = apply_genotype_filters(mt, filters)
    prob = hl.literal(set(probands))
    mt = mt.filter_rows(hl.agg.any(prob.contains(mt.s) & hl.or_else(mt.GT.is_non_ref(), False)))
    pop_names, pop_expr = population_annotation(mt)
    mt = mt.annotate_rows(pop_values=pop_expr)

    def calls_of(m: Any, only: Any = None) -> Any:
        entry = hl.struct(s=m.s, gt=hl.or_missing(hl.is_defined(m.GT), hl.str(m.GT)), raw=hl.str(m.GT_raw),
                          gq=m.GQ if "GQ" in m.entry else hl.missing(hl.tint32),
                          dp=m.DP if "DP" in m.entry else hl.missing(hl.tint32), ab=m.AB)
        return hl.agg.collect(entry) if only is None else hl.agg.filter(only.contains(m.s), hl.agg.collect(entry))

    # pass 1: every row with the probands' calls only. The frequency filter and the consequence gate need no
    # genotypes, so most rows (common or intronic: thousands in TTN alone for a genome) never carry the whole
    # family's calls into Python
    fields = ["variant_id", "gene", "consequence", "consequence_terms", "impact", "hgvsc", "hgvsp", "transcript",
              "max_af", "af_missing", "revel", "clin_sig", "pop_values", "calls"]
    df = mt.annotate_rows(calls=calls_of(mt, prob)).rows().select(*fields).to_pandas()
    if df.empty:
        return pd.DataFrame(columns=["variant_id", "gene", "consequence", "consequence_terms", "impact", "hgvsc",
                                     "hgvsp", "transcript", "max_af", "pop", "revel", "clin_sig", "genotypes",
                                     "raw_genotypes", "gq", "dp", "ab"])
    # every declared field is a key (None when the variant has no value): the frequency filter tells "no
    # gnomAD field in this VCF" from "absent from gnomAD"
    df["pop"] = [dict(zip(pop_names, vals if vals is not None else [None] * len(pop_names)))
                 for vals in df["pop_values"]]
    df = df.drop(columns=["pop_values", *[c for c in ("locus", "alleles") if c in df.columns]])
    df["max_af"] = df["max_af"].where(~df["af_missing"].astype(bool), np.nan)
    df = df.drop(columns=["af_missing"])
    # pass 2: the whole family's calls for the rows that may be classified for at least one condition
    maybe = _classifiable_variants(df, panel_df)
    if maybe and set(cols) - set(probands):
        full = mt.filter_rows(hl.literal(maybe).contains(mt.variant_id))
        full = full.annotate_rows(calls=calls_of(full)).rows().select("variant_id", "calls").to_pandas()
        by_id = dict(zip(full["variant_id"], full["calls"]))
        df["calls"] = [by_id.get(v, c) for v, c in zip(df["variant_id"], df["calls"])]
    # hail Structs: attribute access (item access is type-checked, ten times slower)
    df["genotypes"] = [{c.s: c.gt for c in calls} for calls in df["calls"]]
    df["raw_genotypes"] = [{c.s: c.raw for c in calls} for calls in df["calls"]]
    for k in ("gq", "dp", "ab"):
        df[k] = [{c.s: getattr(c, k) for c in calls} for calls in df["calls"]]
    return df.drop(columns=["calls"]).reset_index(drop=True)


def _classifiable_variants(df: pd.DataFrame, panel_df: pd.DataFrame) -> set[str]:
    """Variant ids kept by the frequency filter, the consequence gate and the variant-type scope for at least
    one of their gene's panel rows (no genotypes needed)."""
    records = df[["variant_id", "gene", "consequence", "consequence_terms", "clin_sig", "pop"]].to_dict("records")
    pairs = _panel_pairs(records, panel_df, zygosity={})
    if pairs.empty:
        return set()
    kept, _ = screen_candidates(pairs, condition_labels=CONDITION_LABELS)
    return set(kept["variant_id"]) if not kept.empty else set()


def _panel_pairs(records: list[dict[str, Any]], panel_df: pd.DataFrame, *, zygosity: Mapping[str, str]) -> pd.DataFrame:
    """One row per candidate variant and panel row of its gene (condition, disease, mode, ceiling, scope)."""
    by_gene = {g: grp for g, grp in panel_df.groupby("gene", sort=False)}
    rows = []
    for rec in records:
        grp = by_gene.get(rec["gene"])
        if grp is None:
            continue
        for prow in grp.itertuples():
            rows.append({**rec, "condition": prow.condition, "mode": prow.mode, "scope": prow.scope,
                         "mechanism": getattr(prow, "mechanism", "any"), "max_credible_af": prow.max_credible_af,
                         "zygosity": zygosity.get(rec["variant_id"])})
    return pd.DataFrame(rows)


def _status_of(gt: Any) -> str:
    if gt is None or (isinstance(gt, float) and math.isnan(gt)):
        return UNTESTED
    alleles = str(gt).replace("|", "/").split("/")
    if any(a == "." for a in alleles):
        return UNTESTED
    return NON_CARRIER if all(a == "0" for a in alleles) else CARRIER


def _zygosity(gt: Any) -> str:
    if gt is None:
        return "unknown"
    alleles = str(gt).replace("|", "/").split("/")
    if len(alleles) == 1:
        return "hemizygous"
    return "homozygous" if len(set(alleles)) == 1 and alleles[0] != "0" else "heterozygous"


def family_genotypes(row: Mapping[str, Any], pedigree: Pedigree) -> dict[str, str]:
    """carrier / non-carrier / untested per family member for one candidate row (absent from the VCF or a
    call failing the genotype filters: untested)."""
    calls = row.get("genotypes") or {}
    return {i: _status_of(calls.get(i)) if i in calls else UNTESTED for i in pedigree.order}


def _short_hgvs(value: Any) -> str | None:
    """The HGVS change without its transcript, with VEP's URL escapes decoded (``p.Thr99%3D`` -> ``p.Thr99=``)."""
    return short_hgvs(value)


_CLASSIFIED_EXTRA = ["condition", "mode", "disease", "segregation", "acmg_class", "acmg_points", "acmg_codes",
                     "acmg_criteria", "zygosity", "filtering_af", "frequency_basis", "frequency_note"]
#: no BS1 from the engine for any mode (see :data:`bigmed_utils.cardiac.filtering.NO_BS1`)
_NO_BS1_THRESHOLDS = {m: NO_BS1 for m in ("de_novo", "autosomal_dominant", "x_linked", "autosomal_recessive",
                                          "compound_heterozygous")}


def screen_and_classify(
    cand: pd.DataFrame,
    *,
    pedigree: Pedigree,
    proband: str,
    panel_df: pd.DataFrame,
    affected: Mapping[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(classified, filtered_out)`` for the proband's candidates.

    Each candidate is paired with its gene's panel rows (one per condition and disease), judged by the
    frequency filter, the consequence gate and the variant-type scope
    (:func:`bigmed_utils.cardiac.filtering.screen_candidates`); the removed pairs form ``filtered_out``
    (``FILTERED_COLUMNS``). A gene with a dominant and a recessive disease in one condition keeps the row that
    fits the proband's zygosity (:func:`~bigmed_utils.cardiac.filtering.choose_panel_row`). The kept pairs get
    their segregation in the family (PP1 / BS4) and an ACMG/AMP class; BS1 is not applied by the engine
    (the frequency filter has done that job), PM2 sees the raw population frequency.
    """
    empty_filtered = pd.DataFrame(columns=FILTERED_COLUMNS)
    if cand.empty:
        return pd.DataFrame(columns=[*cand.columns, *_CLASSIFIED_EXTRA]), empty_filtered
    records = cand.to_dict("records")
    zygosity = {rec["variant_id"]: _zygosity(rec["genotypes"].get(proband)) for rec in records}
    kept, filtered = screen_candidates(_panel_pairs(records, panel_df, zygosity=zygosity),
                                       condition_labels=CONDITION_LABELS)
    kept = choose_panel_row(kept)
    if kept.empty:
        return pd.DataFrame(columns=[*cand.columns, *_CLASSIFIED_EXTRA]), filtered
    seg: dict[str, tuple[str | None, str, str]] = {}
    for rec in kept.drop_duplicates("variant_id").to_dict("records"):
        status = family_genotypes(rec, pedigree)
        res = segregation(pedigree, proband=proband, genotypes=status, affected=affected)
        seg[rec["variant_id"]] = (res.evidence, ",".join(i for i, st in status.items() if st == CARRIER),
                                  ",".join(i for i, st in status.items() if st == NON_CARRIER))
    table = kept.reset_index(drop=True).copy()
    table["segregation"] = [seg[v][0] for v in table["variant_id"]]
    table["carriers"] = [seg[v][1] for v in table["variant_id"]]
    table["non_carriers"] = [seg[v][2] for v in table["variant_id"]]
    table["disease"] = table["scope"]
    table["consequence"] = table["consequence_terms"].fillna(table["consequence"])
    out = classify_variants(table, bs1_thresholds=_NO_BS1_THRESHOLDS, source=f"candidate variants of {proband}")
    order = {c: i for i, c in enumerate(dict.fromkeys(panel_df["condition"]))}
    out["_rank"] = out["acmg_class"].map(CLASS_RANK)
    out["_cond"] = out["condition"].map(order)
    out = out.sort_values(["_rank", "acmg_points", "_cond"], ascending=[True, False, True], kind="stable")
    return out.drop(columns=["_rank", "_cond"]).reset_index(drop=True), filtered


def classify_family_candidates(
    cand: pd.DataFrame,
    *,
    pedigree: Pedigree,
    proband: str,
    panel_df: pd.DataFrame,
    affected: Mapping[str, str],
) -> pd.DataFrame:
    """The classified candidates of :func:`screen_and_classify` (without the filtered-out table): one row per
    kept variant and condition, with segregation (PP1/BS4) and the ACMG class."""
    return screen_and_classify(cand, pedigree=pedigree, proband=proband, panel_df=panel_df, affected=affected)[0]


def _findings(classified: pd.DataFrame) -> pd.DataFrame:
    rep = classified[classified["acmg_class"].isin(REPORTED_CLASSES)].copy()
    rep["variant"] = rep["variant_id"]
    rep["hgvsc"] = rep["hgvsc"].map(_short_hgvs)
    rep["hgvsp"] = rep["hgvsp"].map(_short_hgvs)
    rep["consequence"] = rep["consequence_terms"].fillna(rep["consequence"])
    return rep[FINDING_COLUMNS + ["acmg_criteria", "mode"]].reset_index(drop=True)


def _pick_familial(findings: pd.DataFrame) -> dict[str, Any] | None:
    """The first P/LP finding (findings are sorted by class, points, then the order of the conditions asked
    for) that can explain the proband's disease alone."""
    diag = findings[findings["acmg_class"].isin(DIAGNOSTIC_CLASSES)]
    # a heterozygous variant in a recessive gene is carrier status, not a diagnosis
    ok = diag[(diag["mode"] != "autosomal_recessive") | (diag["zygosity"] == "homozygous")]
    if ok.empty:
        return None
    return ok.iloc[0].to_dict()
