"""Which of the proband's panel variants are classified, and why the others are not: the frequency filter
(:mod:`bigmed_utils.cardiac.frequency`), the consequence gate and the gene's variant-type scope. Every removed
variant is kept in a *filtered out, and why* table (report and ``summary.json``): nothing is dropped
silently.

Consequence gate
    A variant whose every consequence on the chosen transcript is intronic, synonymous, outside the gene
    (up/downstream, intergenic) or on a non-coding isoform is not classified: it changes neither the protein
    nor, as far as the annotation shows, splicing (ACMG/AMP BP7 territory, Richards S et al. Genet Med
    2015;17:405). **Splice exception**: it is kept when VEP annotates a splice term (splice region, donor
    5th base, donor region, polypyrimidine tract, canonical site), when SpliceAI predicts a splice change
    (any delta score >= 0.2: the ClinGen SVI splicing recommendation, Walker LC et al. Am J Hum Genet
    2023;110:1046, after Jaganathan K et al. Cell 2019;176:535), or when ClinVar asserts (likely)
    pathogenic: deep intronic founder variants exist (e.g. MYBPC3 c.1224-52G>A in HCM, Bagnall RD et al.
    J Am Coll Cardiol 2018;72:419).

Variant-type scope
    Some gene–disease curations hold for one variant type only: TTN causes dilated cardiomyopathy through
    truncating variants (Jordan E et al. Circulation 2021;144:7); a TTN missense variant is listed as out of
    scope, not classified for DCM.

Research use only; not a medical device.
"""

from __future__ import annotations

import math
import re
from urllib.parse import unquote
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .frequency import assess_frequency, is_frequency_field_name

#: consequences (SO terms) that alone mean "no protein change and no annotated splice effect"
GATED_CONSEQUENCES = frozenset({
    "synonymous_variant", "intron_variant", "stop_retained_variant", "start_retained_variant",
    "upstream_gene_variant", "downstream_gene_variant", "intergenic_variant",
    "non_coding_transcript_variant", "NMD_transcript_variant",
})
#: splice terms that keep an otherwise gated variant (Ensembl VEP SO terms)
SPLICE_TERMS = frozenset({
    "splice_acceptor_variant", "splice_donor_variant", "splice_region_variant",
    "splice_donor_5th_base_variant", "splice_donor_region_variant", "splice_polypyrimidine_tract_variant",
})
#: SpliceAI delta score at or above which a splice effect is predicted (Walker et al. 2023, ClinGen SVI)
SPLICEAI_MIN_DELTA = 0.2
#: CSQ fields of the VEP SpliceAI plugin; the INFO field ``SpliceAI`` (Illumina's annotation) is read as well
SPLICEAI_CSQ_FIELDS = ("SpliceAI_pred_DS_AG", "SpliceAI_pred_DS_AL", "SpliceAI_pred_DS_DG", "SpliceAI_pred_DS_DL")
#: consequences of a truncating variant (for genes curated for truncating variants only, e.g. TTN in DCM)
TRUNCATING_CONSEQUENCES = frozenset({
    "transcript_ablation", "stop_gained", "frameshift_variant", "splice_acceptor_variant", "splice_donor_variant",
})

FILTERED_COLUMNS = ["gene", "variant", "hgvsc", "hgvsp", "consequence", "zygosity", "condition", "disease", "step",
                    "reason", "raw_af", "filtering_af", "frequency_basis", "max_credible_af"]

#: the classification engine never gives BS1 here: the Whiffin filter has already removed every variant above
#: the ceiling (listed in the filtered-out table), and a kept variant is at or below it (or its frequency is
#: indeterminate). An engine threshold of 1.0 cannot be exceeded.
NO_BS1 = 1.0


def _terms(consequence: Any) -> set[str]:
    if consequence is None or (isinstance(consequence, float) and math.isnan(consequence)):
        return set()
    return {t for t in re.split(r"[&,]", str(consequence)) if t}


def _clinvar_pathogenic(clin_sig: Any) -> bool:
    if clin_sig is None or (isinstance(clin_sig, float) and math.isnan(clin_sig)):
        return False
    tokens = {t.strip().lower().replace(" ", "_") for t in re.split(r"[&/,|]", str(clin_sig)) if t.strip()}
    if any("conflicting" in t for t in tokens):
        return False
    return bool(tokens & {"pathogenic", "likely_pathogenic"}) and not tokens & {"benign", "likely_benign"}


def consequence_gate(consequence: Any, *, spliceai: float | None = None, clin_sig: Any = None) -> str | None:
    """The reason a variant is not classified for its consequence, or ``None`` when it passes.

    ``consequence`` is VEP's '&'-joined list for the chosen transcript; ``spliceai`` the largest SpliceAI
    delta score (None when not annotated); ``clin_sig`` the ClinVar significance.
    """
    terms = _terms(consequence)
    if not terms or not terms <= GATED_CONSEQUENCES:
        return None  # a coding, splice or unannotated consequence: classify it
    if terms & SPLICE_TERMS:
        return None
    if spliceai is not None and not (isinstance(spliceai, float) and math.isnan(spliceai)) \
            and spliceai >= SPLICEAI_MIN_DELTA:
        return None
    if _clinvar_pathogenic(clin_sig):
        return None
    kind = "synonymous" if terms & {"synonymous_variant", "stop_retained_variant", "start_retained_variant"} \
        else "intronic" if "intron_variant" in terms else "outside the coding sequence"
    splice = ("no SpliceAI score" if spliceai is None or (isinstance(spliceai, float) and math.isnan(spliceai))
              else f"SpliceAI {spliceai:.2f} < {SPLICEAI_MIN_DELTA}")
    return (f"{'&'.join(sorted(terms))}: {kind}, no splice-region annotation, {splice}, no ClinVar pathogenic "
            "assertion: no predicted effect on the protein or on splicing (consequence gate)")


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def spliceai_max(pop: Mapping[str, Any]) -> float | None:
    """The largest SpliceAI delta score among the annotated fields (CSQ plugin fields or INFO ``SpliceAI``)."""
    vals = [float(v) for k, v in pop.items() if (k in SPLICEAI_CSQ_FIELDS or k == "SpliceAI") and not _missing(v)]
    return max(vals) if vals else None


def short_hgvs(value: Any) -> str | None:
    """The HGVS change without its transcript, with VEP's URL escapes decoded (``p.Thr99%3D`` -> ``p.Thr99=``)."""
    if _missing(value):
        return None
    s = unquote(str(value))
    return s.split(":", 1)[1] if ":" in s else s



def screen_candidates(long: pd.DataFrame, *, condition_labels: Mapping[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the frequency filter, the consequence gate and the variant-type scope to the proband's
    candidate rows (one row per variant and panel row).

    Parameters
    ----------
    long
        Candidate rows with ``variant_id, gene, consequence, consequence_terms, clin_sig, pop`` (field ->
        value of the population and SpliceAI fields), ``condition, mode, max_credible_af, mechanism, scope``
        and ``zygosity``.
    condition_labels
        Condition key -> label, for the reasons.

    Returns
    -------
    (kept, filtered)
        ``kept``: the rows to classify, with ``max_af`` (the raw population AF the ACMG engine sees for PM2),
        ``filtering_af``, ``frequency_basis`` and ``frequency_note``; ``filtered``: one row per removed variant
        and condition, ``FILTERED_COLUMNS``.
    """
    if long.empty:
        empty = long.assign(filtering_af=pd.Series(dtype=float), frequency_basis=pd.Series(dtype=str),
                            frequency_note=pd.Series(dtype=str))
        return empty, pd.DataFrame(columns=FILTERED_COLUMNS)
    kept_rows, filtered_rows = [], []
    for rec in long.to_dict("records"):
        pop = rec.get("pop") or {}
        cond = rec["condition"]
        ev = assess_frequency(pop, ceiling=float(rec["max_credible_af"]),
                              condition_label=condition_labels.get(cond, cond))
        terms = rec.get("consequence_terms") if not _missing(rec.get("consequence_terms")) else rec.get("consequence")
        steps, reasons = [], []
        if ev.too_common:
            steps.append("frequency")
            reasons.append(ev.reason)
        gate = consequence_gate(terms, spliceai=spliceai_max(pop), clin_sig=rec.get("clin_sig"))
        if gate:
            steps.append("consequence")
            reasons.append(gate)
        if rec.get("mechanism") == "truncating" and not _terms(terms) & TRUNCATING_CONSEQUENCES:
            steps.append("variant type")
            reasons.append(f"{rec['gene']}: the {condition_labels.get(cond, cond)} curation covers truncating "
                           f"variants only; {terms} is out of scope")
        raw = ev.raw_af if ev.raw_af is not None else ev.filtering_af
        if steps:
            filtered_rows.append({
                "gene": rec["gene"], "variant": rec["variant_id"], "hgvsc": short_hgvs(rec.get("hgvsc")),
                "hgvsp": short_hgvs(rec.get("hgvsp")), "consequence": terms, "zygosity": rec.get("zygosity"),
                "condition": cond, "disease": rec.get("scope"), "step": "; ".join(steps), "reason": " | ".join(reasons),
                "raw_af": raw, "filtering_af": ev.filtering_af, "frequency_basis": ev.basis,
                "max_credible_af": float(rec["max_credible_af"]),
            })
        else:
            kept_rows.append({**rec, "max_af": np.nan if raw is None else float(raw),
                              "filtering_af": np.nan if ev.filtering_af is None else float(ev.filtering_af),
                              "frequency_basis": ev.basis, "frequency_note": ev.reason,
                              "frequency_indeterminate": ev.indeterminate})
    kept = pd.DataFrame(kept_rows) if kept_rows else long.iloc[0:0].assign(
        max_af=pd.Series(dtype=float), filtering_af=pd.Series(dtype=float), frequency_basis=pd.Series(dtype=str),
        frequency_note=pd.Series(dtype=str), frequency_indeterminate=pd.Series(dtype=bool))
    filtered = pd.DataFrame(filtered_rows, columns=FILTERED_COLUMNS)
    return kept, filtered


def choose_panel_row(kept: pd.DataFrame) -> pd.DataFrame:
    """One row per variant and condition when a gene has a dominant and a recessive panel row for the same
    condition (KCNQ1: long QT syndrome AD and Jervell and Lange-Nielsen syndrome AR; DSP/JUP: ARVC AD and
    Carvajal/Naxos AR): the recessive row for a homozygous (or hemizygous) proband, the dominant one for a
    heterozygous proband (one allele cannot cause the recessive disease)."""
    if kept.empty or not kept.duplicated(["variant_id", "condition"]).any():
        return kept
    biallelic = kept["zygosity"].isin(["homozygous", "hemizygous"])
    recessive = kept["mode"] == "autosomal_recessive"
    pref = np.where(biallelic == recessive, 0, 1)
    out = kept.assign(_pref=pref).sort_values(["_pref"], kind="stable")
    out = out.drop_duplicates(["variant_id", "condition"], keep="first")
    return out.sort_index().drop(columns="_pref")


def frequency_notes(classified: pd.DataFrame, filtered: pd.DataFrame) -> list[str]:
    """Report notes on the frequency filter: how many pairs were removed and why, and the kept variants whose
    frequency could not be judged (raw AF above the ceiling, no allele counts)."""
    notes = []
    if not filtered.empty:
        steps = filtered["step"].str.split("; ").explode().value_counts()
        parts = ", ".join(f"{n} by {step}" for step, n in steps.items())
        notes.append(f"{filtered['variant'].nunique()} of the proband's panel variant(s) not classified for at least "
                     f"one condition ({parts}): see the filtered-out table")
    if not classified.empty and "frequency_indeterminate" in classified:
        ind = classified[classified["frequency_indeterminate"].fillna(False).astype(bool)]
        if not ind.empty:
            notes.append(f"{ind['variant_id'].nunique()} kept variant(s) have a raw population frequency above the "
                         "condition's maximum credible AF but no allele counts or filtering AF in the VCF: kept "
                         "(a single allele in a large group would be below the ceiling) and marked 'frequency "
                         "indeterminate'; annotate gnomAD FAF95 or AC/AN to judge them")
    return notes


def recessive_notes(findings: pd.DataFrame) -> list[str]:
    """A note for each recessive disease with two or more heterozygous P/LP variants in the proband: possible
    compound heterozygosity, phase unknown (confirm that the variants are in trans by testing the parents)."""
    notes = []
    if findings.empty:
        return notes
    ar = findings[(findings["mode"] == "autosomal_recessive")
                  & findings["acmg_class"].isin(("Pathogenic", "Likely pathogenic"))
                  & (findings["zygosity"] == "heterozygous")]
    for (gene, disease), grp in ar.groupby(["gene", "disease"], sort=False):
        variants = list(dict.fromkeys(grp["variant"]))
        if len(variants) >= 2:
            notes.append(f"{gene}: {len(variants)} heterozygous pathogenic/likely pathogenic variants "
                         f"({', '.join(variants)}): possible compound heterozygosity for {disease}; confirm that "
                         "they are in trans (parental testing) before using them for diagnosis or cascade testing")
    return notes


def filtered_records(filtered: pd.DataFrame) -> list[dict[str, Any]]:
    """The ``filtered_out`` entries of ``summary.json`` (JSON-safe: NaN -> null)."""
    out = []
    for rec in filtered.to_dict("records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()})
    return out


def frequency_field_names(names: Iterable[str]) -> list[str]:
    """The population-frequency and SpliceAI fields among CSQ or INFO field names (read per variant)."""
    return [n for n in names if is_frequency_field_name(n) or n in SPLICEAI_CSQ_FIELDS]


def population_annotation(mt: Any) -> tuple[list[str], Any]:
    """``(names, expr)``: a Hail float64 array expression, aligned with ``names``, holding for each row the
    population-frequency and SpliceAI fields of its ALT allele, from the VEP CSQ entries of that allele
    (matched as :func:`bigmed_utils.genomics.csq.annotate_csq` does: ``ALLELE_NUM``, else VEP's allele
    notation; the largest value over the allele's transcripts and '&'-joined co-located values) and from
    INFO (numbers, or Number=A arrays indexed by the split allele; Illumina's ``SpliceAI`` string: the largest
    of its four delta scores for the allele)."""
    import hail as hl

    from ..genomics.csq import vep_allele_expr

    names: list[str] = []
    exprs: list[Any] = []
    info = mt.info
    csq_fields = list(hl.eval(mt.csq_fields)) if "csq_fields" in mt.globals else []
    wanted = frequency_field_names(csq_fields)
    if "CSQ" in info and wanted:
        idx = {n: i for i, n in enumerate(csq_fields)}
        parts = hl.or_else(info.CSQ, hl.empty_array(hl.tstr)).map(lambda s: s.split("\\|"))
        if "ALLELE_NUM" in idx:
            i_num = idx["ALLELE_NUM"]
            mine = parts.filter(lambda p: (hl.len(p) > i_num) & (hl.parse_int32(p[i_num]) == mt.a_index))
        else:
            i_al = idx.get("Allele", 0)
            allele = vep_allele_expr(mt.vcf_alleles, mt.a_index)
            mine = parts.filter(lambda p: (hl.len(p) > i_al) & (p[i_al] == allele))
        for n in wanted:
            i = idx[n]
            vals = (mine.filter(lambda p: hl.len(p) > i).flatmap(lambda p: p[i].split("&"))
                    .map(lambda v: hl.parse_float64(v)).filter(lambda v: hl.is_defined(v) & (v >= 0)))
            names.append(n)
            exprs.append(hl.or_missing(hl.len(vals) > 0, hl.max(vals)))
    for k in info:
        if k in names:
            continue
        typ = info[k].dtype
        if k == "SpliceAI" and typ in (hl.tarray(hl.tstr), hl.tstr):
            arr = info[k] if typ == hl.tarray(hl.tstr) else hl.array([info[k]])
            alt = mt.vcf_alleles[mt.a_index]  # SpliceAI names the ALT as written in the record
            scores = (hl.or_else(arr, hl.empty_array(hl.tstr)).map(lambda s: s.split("\\|"))
                      .filter(lambda p: (hl.len(p) >= 6) & (p[0] == alt))
                      .flatmap(lambda p: p[2:6].map(lambda v: hl.parse_float64(v)))
                      .filter(hl.is_defined))
            names.append(k)
            exprs.append(hl.or_missing(hl.len(scores) > 0, hl.max(scores)))
            continue
        if not is_frequency_field_name(k):
            continue
        if typ in (hl.tfloat64, hl.tfloat32, hl.tint32, hl.tint64):
            v = hl.float64(info[k])
        elif typ in (hl.tarray(hl.tfloat64), hl.tarray(hl.tfloat32), hl.tarray(hl.tint32)):
            arr = info[k]
            v = hl.or_missing(hl.len(arr) >= mt.a_index, hl.float64(arr[mt.a_index - 1]))
        else:
            continue
        names.append(k)
        exprs.append(hl.or_missing(v >= 0, v))  # slivar writes -1 for absent
    expr = hl.array(exprs) if exprs else hl.empty_array(hl.tfloat64)
    return names, expr


__all__ = [
    "GATED_CONSEQUENCES",
    "SPLICE_TERMS",
    "SPLICEAI_MIN_DELTA",
    "TRUNCATING_CONSEQUENCES",
    "FILTERED_COLUMNS",
    "NO_BS1",
    "consequence_gate",
    "spliceai_max",
    "screen_candidates",
    "choose_panel_row",
    "filtered_records",
    "frequency_notes",
    "recessive_notes",
    "short_hgvs",
    "frequency_field_names",
    "population_annotation",
]
