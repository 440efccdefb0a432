"""One colorectal-cancer patient's molecular tumour-board profile (notebook ``colorectal_cancer``).

Somatic variants from a MAF or a VEP-annotated tumour/normal VCF (imported with Hail, somatic calls kept,
converted to MAF rows), the clinical record (CSV or OMOP tables), MSI from the score and/or MMR IHC, the Lynch
syndrome triage, TMB, hypermutation/POLE, drivers, actionability with levels, dates and sources, resistance
flags, variants of unknown therapeutic meaning, and the patient's TMB and MSI score against the cohort when the
MAF holds one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError
from ..io.clinical import patient_record
from .actionability import LEVELS, summarise_actionability
from .clinical import read_clinical_any
from .cohort import match_barcodes
from .msi import MSI_ASSAYS, MSI_SCORE_THRESHOLDS, is_pathogenic_pole_mutation, pole_exonuclease_mutations
from .summary import PatientProfile, patient_profile
from .tmb import NONSYNONYMOUS_CLASSES, tmb_by_sample

# -----------------------------------------------------------------------------------------------------------
# Somatic variants
# -----------------------------------------------------------------------------------------------------------


def _resolve_tumor_barcode(barcodes: Sequence[str], patient_id: str, tumor_sample: str | None, where: str) -> str:
    """The tumour barcode of the patient: the one asked for, ``<patient>-T``, the patient's only barcode, or
    the only barcode of the file."""
    if tumor_sample is not None:
        return tumor_sample
    if f"{patient_id}-T" in barcodes:
        return f"{patient_id}-T"
    mine = [b for b, p in match_barcodes(barcodes, [patient_id]).items() if p == patient_id]
    if len(mine) == 1:
        return mine[0]
    if len(set(barcodes)) == 1:
        return barcodes[0]
    shown = ", ".join(list(barcodes)[:5]) + (", ..." if len(barcodes) > 5 else "")
    if mine:
        raise ParameterError(f"tumor_sample: {where} holds several tumours of patient {patient_id} "
                             f"({', '.join(mine)}); name one")
    raise InputDataError(f"{where}: no tumour sample of patient '{patient_id}' (samples: {shown}); set tumor_sample")


def somatic_variants_from_vcf(
    path: str | os.PathLike,
    *,
    patient_id: str,
    tumor_sample: str | None = None,
    normal_sample: str | None = None,
    genome_build: str = "GRCh38",
) -> pd.DataFrame:
    """MAF rows of the somatic calls of a VEP-annotated VCF (Hail import, then :func:`maf_from_vcf_table`).

    A call is somatic when the site passed the caller's filters (FILTER ``PASS`` or ``.``), the tumour
    genotype carries the alternate allele and the matched normal (when the VCF has one) does not. The tumour
    column is ``tumor_sample`` (default ``<patient_id>-T`` or the only column); the normal is
    ``normal_sample`` (default the other column of a two-sample VCF).

    Returns
    -------
    pandas.DataFrame
        MAF-like rows (``Tumor_Sample_Barcode`` = the tumour column) with the VCF's ``chrom:pos:ref:alt`` in
        ``variant``; ``attrs`` holds ``path``, ``tumor_sample``, ``normal_sample`` and ``n_records``.
    """
    import hail as hl

    from ..io.variants import load_variants
    from .vcf_to_maf import maf_from_vcf_table

    p = Path(path)
    mt = load_variants(p, genome_build=genome_build)
    samples = [str(s) for s in mt.s.collect()]
    tumour = _resolve_tumor_barcode(samples, patient_id, tumor_sample, p.name)
    if tumour not in samples:
        raise InputDataError(f"{p.name}: tumour sample '{tumour}' is not a column of the VCF (samples: {', '.join(samples)})")
    if normal_sample is not None and normal_sample not in samples:
        raise InputDataError(f"{p.name}: normal sample '{normal_sample}' is not a column of the VCF "
                             f"(samples: {', '.join(samples)})")
    others = [s for s in samples if s != tumour]
    normal = normal_sample if normal_sample is not None else (others[0] if len(others) == 1 else None)
    n_records = mt.count_rows()
    ht = mt.localize_entries("calls", "cols")
    ti = samples.index(tumour)
    keep = hl.or_else(hl.len(ht.filters) == 0, True) & hl.or_else(ht.calls[ti].GT.is_non_ref(), False)
    if normal is not None:
        ni = samples.index(normal)
        keep &= ~hl.or_else(ht.calls[ni].GT.is_non_ref(), False)
    ht = ht.filter(keep)
    parts = ht.variant_id.split(":")
    small = ht.select(gene=ht.gene, hgvsp=ht.hgvsp, consequence=ht.consequence_terms, exon=ht.exon,
                      chrom=parts[0], pos=ht.locus.position, ref=ht.alleles[0], alt=ht.alleles[1])
    df = small.key_by().drop("locus", "alleles").to_pandas()
    df = df.assign(consequence=df["consequence"].fillna(""), gene=df["gene"].fillna(""))
    maf = maf_from_vcf_table(df[["gene", "hgvsp", "consequence", "exon", "chrom", "pos", "ref", "alt"]],
                             tumor_sample=tumour)
    maf.attrs.update(path=str(p), tumor_sample=tumour, normal_sample=normal, n_records=int(n_records))
    return maf


# -----------------------------------------------------------------------------------------------------------
# Per patient
# -----------------------------------------------------------------------------------------------------------


@dataclass
class PatientResult:
    """Everything the patient report shows. ``summary`` is the content of ``summary.json``."""

    patient_id: str
    tumor_sample: str
    variant_source: str
    profile: PatientProfile
    record: dict[str, Any]
    msi_origin: str
    profile_table: pd.DataFrame
    drivers: pd.DataFrame
    actionable: pd.DataFrame
    resistance: pd.DataFrame
    unknown: pd.DataFrame
    cohort: pd.DataFrame | None
    cohort_position: dict[str, Any]
    figures: dict[str, Any]
    summary: dict[str, Any]
    kb_version: str | None = None

    @property
    def headline(self) -> str:
        return self.summary["headline"]

    @property
    def record_table(self) -> pd.DataFrame:
        """The clinical record fields a tumour board needs (one row; empty without a clinical record)."""
        keys = [k for k in RECORD_FIELDS if k in self.record]
        if not keys:
            return pd.DataFrame()
        row = {k: (self.record[k].date().isoformat() if isinstance(self.record[k], pd.Timestamp) else self.record[k])
               for k in keys}
        return pd.DataFrame([row], index=pd.Index([self.patient_id], name="patient"))


#: clinical-record fields shown in the patient report (survival outcomes are left out)
RECORD_FIELDS: tuple[str, ...] = ("age", "sex", "stage", "side", "icd10", "diagnosis_date", "msi_score", "mmr_ihc",
                                  "treatment_lines", "treatments")


def _cohort_features(maf: pd.DataFrame, clinical: pd.DataFrame | None, *, callable_mb: float,
                     variant_classes: Sequence[str]) -> pd.DataFrame:
    """TMB per tumour of a cohort MAF with the patient's MSI status and score when a clinical table is given."""
    barcodes = list(dict.fromkeys(maf["Tumor_Sample_Barcode"]))
    tmb = tmb_by_sample(maf, callable_mb=callable_mb, samples=barcodes, variant_classes=variant_classes)
    tmb = tmb.rename(columns={"Tumor_Sample_Barcode": "tumor_barcode"})
    if clinical is not None:
        mapping = match_barcodes(barcodes, clinical["patient_id"].astype(str))
        tmb["patient_id"] = tmb["tumor_barcode"].map(mapping)
        cols = [c for c in ("patient_id", "msi_status", "msi_score") if c in clinical.columns]
        tmb = tmb.merge(clinical[cols].assign(patient_id=clinical["patient_id"].astype(str)), on="patient_id", how="left")
    else:
        tmb["patient_id"] = tmb["tumor_barcode"]
    if "msi_status" not in tmb.columns:
        tmb["msi_status"] = "unknown"
    tmb["msi_status"] = tmb["msi_status"].astype(object).where(tmb["msi_status"].notna(), "unknown")
    return tmb


def _fmt(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not np.isfinite(x)) else f"{x:.{digits}f}"


def _close(figures: Mapping[str, Any]) -> None:
    """Close the figures in pyplot: a notebook shows them where it displays them, not all in the cell that
    ran the analysis (``display(fig)`` still renders a closed figure)."""
    import matplotlib.pyplot as plt

    for fig in figures.values():
        plt.close(fig)


def _nr(x: float) -> str:
    """A median or CI bound in months; ``NR`` = not reached (the curve stays above 50 %)."""
    return "NR" if x is None or not np.isfinite(x) else f"{x:.1f}"


def _patient_headline(pid: str, profile: PatientProfile, matches: pd.DataFrame) -> str:
    sensitive = matches[matches["kind"] == "sensitive"]
    resist = matches[matches["kind"] == "resistance"]
    alterations = [a for a in dict.fromkeys(sensitive["alteration"]) if a not in ("MSI-H", "dMMR", "TMB-H")]
    parts = alterations + [profile.msi.status if profile.msi.status != "unknown" else "MSI unknown",
                           f"TMB {profile.tmb.value:.1f} mut/Mb" + (" (high)" if profile.tmb.high else "")]
    text = f"{pid}: " + ", ".join(parts)
    if len(sensitive):
        best = min(sensitive["level"], key=LEVELS.index)
        therapies = list(dict.fromkeys(sensitive.loc[sensitive["level"] == best, "therapy"]))
        text += f" — level {best}: " + "; ".join(therapies)
    else:
        text += " — no level 1-4 therapy match"
    if len(resist):
        text += " — resistance: " + ", ".join(dict.fromkeys(resist["therapy"])) + f" ({', '.join(dict.fromkeys(resist['level']))})"
    if profile.lynch is not None and profile.lynch.status in ("likely_sporadic", "germline_referral", "indeterminate"):
        text += f" — Lynch triage: {profile.lynch.status.replace('_', ' ')}"
    return text


def _profile_table(profile: PatientProfile, rows: pd.DataFrame, *, tumour: str, source: str, origin: list[str],
                   position: dict[str, Any], maf_name: str, clinical_name: str) -> pd.DataFrame:
    """The 'molecular profile' table of the report: finding, result, basis."""
    msi, hyper, lynch = profile.msi, profile.hypermutation, profile.lynch
    pole = pole_exonuclease_mutations(rows)
    ras = profile.drivers[profile.drivers["gene"].isin(["KRAS", "NRAS", "BRAF"])]
    ras_text = ", ".join(f"{g} {h}" for g, h in zip(ras["gene"], ras["hgvsp"])) or "KRAS, NRAS and BRAF wild type"
    msi_bits = []
    if msi.score is not None:
        band = (f"; indeterminate {msi.indeterminate_from:g} to < {msi.threshold:g}"
                if msi.indeterminate_from is not None else "")
        assay = MSI_ASSAYS[msi.assay].tool if msi.assay in MSI_ASSAYS else str(msi.assay)
        msi_bits.append(f"score {msi.score:g} vs MSI-H ≥ {msi.threshold:g}{band} ({assay}): {msi.score_status}")
    if msi.mmr_status is not None:
        msi_bits.append(f"MMR IHC: {msi.mmr_status}")
    if msi.note:
        msi_bits.append(msi.note)
    pole_text = ", ".join(f"POLE {h}" + (" (pathogenic)" if is_pathogenic_pole_mutation(h) else " (not a pathogenic EDM)")
                          for h in pole["HGVSp_Short"].astype(str)) or "none"
    table = [
        ("Tumour sample", tumour, source),
        ("TMB", f"{profile.tmb.value:.1f} mut/Mb" + (" — TMB-high" if profile.tmb.high else ""),
         f"{profile.tmb.n_variants} counted variants / {profile.tmb.callable_mb:g} Mb; TMB-high ≥ {profile.tmb.threshold:g}"),
        ("MSI / MMR", msi.status if msi.status != "MSI-H" else "MSI-H / dMMR" if msi.mmr_status == "dMMR" else "MSI-H",
         "; ".join(msi_bits) + (f" (from {' and '.join(origin)})" if origin else "")),
        ("Lynch syndrome triage", lynch.status.replace("_", " "), lynch.reason),
        ("Hypermutation", hyper.category, hyper.note or "Campbell et al. 2017: > 10 hypermutated, > 100 ultra-hypermutated"),
        ("POLE exonuclease domain", pole_text,
         "POLE-driven ultra-hypermutation" if hyper.pole_driven else
         "residues 268-471; pathogenic mutations per León-Castillo et al. 2020"),
        ("RAS / BRAF", ras_text, "KRAS/NRAS codons 12, 13, 59, 61, 117, 146 exclude anti-EGFR therapy; other RAS "
                                 "variants are of unknown meaning; BRAF V600E: anti-EGFR without a BRAF inhibitor unlikely to help"),
    ]
    if position.get("tmb_percent_below") is not None:
        table.append(("TMB in the cohort", f"higher than {position['tmb_percent_below']:.0f} % of "
                      f"{position['n_tumours'] - 1} other tumours", maf_name))
    if position.get("msi_percent_below") is not None:
        table.append(("MSI score in the cohort", f"higher than {position['msi_percent_below']:.0f} % of the cohort's scores",
                      clinical_name))
    return pd.DataFrame(table, columns=["finding", "result", "basis"])


def analyse_patient(params: Any) -> PatientResult:
    """Molecular tumour-board profile of one patient.

    Parameters
    ----------
    params
        :class:`~bigmed_utils.params.ColorectalCancerParams` (or a mapping validated into one).

    Returns
    -------
    PatientResult
        Tables (``profile_table``, ``drivers``, ``actionable``, ``resistance``, ``unknown``, ``cohort``), figures
        (``tmb_cohort``, ``msi_cohort`` when the MAF holds a cohort) and ``summary`` with ``patient_id``,
        ``tmb`` (value, unit, callable_mb, high), ``msi`` (status, score, source), ``drivers``, ``actionable``,
        ``resistance`` and ``unknown_meaning`` (alteration, therapy, level, source), ``lynch_triage`` (status,
        reason, mlh1_methylation, source) and ``headline``.

    Raises
    ------
    ParameterError, InputDataError
        One line naming the parameter, file, sample or patient at fault (unknown tumour sample, a MAF column
        missing, a patient absent from the clinical table, ...).
    """
    from ..io.maf import read_maf, select_tumor_sample
    from ..params import ColorectalCancerParams, validate_params

    if not isinstance(params, ColorectalCancerParams):
        params = validate_params("colorectal_cancer", dict(params))
    pid = params.patient_id
    classes = tuple(params.tmb_classes) if params.tmb_classes else NONSYNONYMOUS_CLASSES

    cohort_maf = read_maf(params.maf) if params.maf is not None else None
    if params.vcf is not None:
        rows = somatic_variants_from_vcf(params.vcf, patient_id=pid, tumor_sample=params.tumor_sample,
                                         normal_sample=params.normal_sample, genome_build=params.genome_build)
        tumour, source = rows.attrs["tumor_sample"], f"VCF {Path(params.vcf).name}"
    else:
        barcodes = list(dict.fromkeys(cohort_maf["Tumor_Sample_Barcode"]))
        tumour = _resolve_tumor_barcode(barcodes, pid, params.tumor_sample, Path(params.maf).name)
        rows = select_tumor_sample(cohort_maf, tumour)
        tumour, source = str(rows["Tumor_Sample_Barcode"].iloc[0]), f"MAF {Path(params.maf).name}"

    clinical = read_clinical_any(params.clinical, assay=params.msi_assay) if params.clinical is not None else None
    record = patient_record(clinical, pid) if clinical is not None else {}

    # MSI: parameters first, else the clinical record
    score, mmr, origin = params.msi_score, params.mmr_ihc, []
    if score is not None or mmr is not None:
        origin.append("parameters")
    if score is None and record.get("msi_score") is not None:
        score = float(record["msi_score"])
        origin.append("clinical record")
    if mmr is None and isinstance(record.get("mmr_ihc"), str):
        mmr = record["mmr_ihc"]
        if "clinical record" not in origin:
            origin.append("clinical record")
    profile = patient_profile(rows, patient_id=pid, callable_mb=params.callable_mb, msi_score=score, mmr_ihc=mmr,
                              assay=params.msi_assay, msi_threshold=params.msi_threshold, her2_ihc=params.her2_ihc,
                              mlh1_methylation=params.mlh1_methylation, variant_classes=classes)
    profile.tumor_sample = tumour
    matches = profile.matches
    split = summarise_actionability(matches)

    # cohort position (the MAF holds other tumours too)
    cohort, position, figures = None, {}, {}
    if cohort_maf is not None and cohort_maf["Tumor_Sample_Barcode"].nunique() > 1:
        from .oncoplot import msi_score_plot, tmb_by_msi_plot

        cohort = _cohort_features(cohort_maf, clinical, callable_mb=params.callable_mb, variant_classes=classes)
        is_me = (cohort["patient_id"] == pid) | (cohort["tumor_barcode"] == tumour)
        cohort.loc[is_me, "tmb"] = profile.tmb.value  # the value of this report (VCF input may differ)
        cohort.loc[is_me, "patient_id"] = pid
        others = cohort.loc[~is_me, "tmb"]
        position["n_tumours"] = int(len(cohort))
        position["tmb_percent_below"] = float((others < profile.tmb.value).mean() * 100) if len(others) else None
        cohort.loc[is_me, "msi_status"] = profile.msi.status
        figures["tmb_cohort"] = tmb_by_msi_plot(cohort, highlight=pid)
        if "msi_score" in cohort.columns and cohort["msi_score"].notna().any():
            cohort.loc[is_me, "msi_score"] = profile.msi.score
            other_scores = cohort.loc[~is_me, "msi_score"].dropna()
            thr = profile.msi.threshold or MSI_SCORE_THRESHOLDS.get(params.msi_assay)
            if profile.msi.score is not None and len(other_scores):
                position["msi_percent_below"] = float((other_scores < profile.msi.score).mean() * 100)
            figures["msi_cohort"] = msi_score_plot(other_scores, threshold=thr, patient_score=profile.msi.score,
                                                   patient_label=pid)

    profile_table = _profile_table(profile, rows, tumour=tumour, source=source, origin=origin, position=position,
                                   maf_name=Path(params.maf).name if params.maf is not None else "",
                                   clinical_name=clinical.attrs.get("name", "") if clinical is not None else "")
    cols = ["alteration", "therapy", "level", "date", "source"]
    actionable = matches[matches["kind"] == "sensitive"][cols].reset_index(drop=True)
    resistance = matches[matches["kind"] == "resistance"][cols].reset_index(drop=True)
    unknown = matches[matches["kind"] == "unknown"][["alteration", "therapy", "source"]].reset_index(drop=True)
    msi = profile.msi
    summary = {
        "patient_id": pid,
        "tmb": {"value": profile.tmb.value, "unit": profile.tmb.unit, "callable_mb": profile.tmb.callable_mb,
                "high": profile.tmb.high},
        "msi": {"status": msi.status, "score": msi.score, "source": msi.source},
        "drivers": [{"gene": r.gene, "hgvsp": r.hgvsp, "variant": r.variant,
                     "variant_classification": r.variant_classification}
                    for r in profile.drivers.itertuples(index=False)],
        "actionable": split["actionable"],
        "resistance": split["resistance"],
        "unknown_meaning": split["unknown_meaning"],
        "lynch_triage": {"status": profile.lynch.status, "reason": profile.lynch.reason,
                         "mlh1_methylation": params.mlh1_methylation, "source": profile.lynch.source},
        "headline": _patient_headline(pid, profile, matches),
    }
    _close(figures)
    return PatientResult(
        patient_id=pid, tumor_sample=tumour, variant_source=source, profile=profile, record=record,
        msi_origin=" and ".join(origin), profile_table=profile_table,
        drivers=profile.drivers.drop(columns=["Tumor_Sample_Barcode"], errors="ignore"),
        actionable=actionable, resistance=resistance, unknown=unknown, cohort=cohort, cohort_position=position,
        figures=figures, summary=summary, kb_version=matches.attrs.get("kb_version"),
    )


__all__ = ["PatientResult", "analyse_patient", "somatic_variants_from_vcf", "RECORD_FIELDS"]
