"""The two colorectal-cancer analyses behind the notebooks: one patient's tumour-board profile and the cohort.

:func:`analyse_patient` (notebook ``colorectal_cancer``)
    somatic variants from a MAF or a VEP-annotated tumour/normal VCF (imported with Hail, somatic calls kept,
    converted to MAF rows), the clinical record (CSV or OMOP tables), MSI from the score and/or MMR IHC,
    TMB, hypermutation/POLE, drivers, actionability with levels and sources, resistance flags, and the
    patient's TMB and MSI score against the cohort when the MAF holds one.
:func:`analyse_cohort` (notebook ``colorectal_cohort``)
    EHR selection (ICD-10, stage, treatment) joined to the genomic data, oncoplot with MSI and side tracks,
    KRAS/BRAF V600E mutual exclusivity, TMB by MSI status, Kaplan-Meier curves with number-at-risk tables
    and log-rank tests, Cox models with hazard-ratio tables, forest plots and proportional-hazards checks.

Both return a result object holding small pandas tables, matplotlib figures and ``summary`` (the content of
``summary.json``: exactly the keys of issue 6 plus ``headline``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError
from .actionability import LEVELS, summarise_actionability
from .cohort import match_barcodes, read_clinical
from .msi import (MSI_ASSAYS, MSI_SCORE_THRESHOLDS, assess_msi, is_pathogenic_pole_mutation,
                  pole_exonuclease_mutations)
from .report import PatientProfile, patient_profile
from .tmb import NONSYNONYMOUS_CLASSES, TMB_HIGH_THRESHOLD, tmb_by_sample

#: survival endpoints of the clinical table: name -> (time column in months, event column 0/1)
ENDPOINTS: dict[str, tuple[str, str]] = {"os": ("os_months", "os_event"), "pfs": ("pfs_months", "pfs_event")}
ENDPOINT_NAMES = {"os": "Overall survival", "pfs": "Progression-free survival"}
#: groups of the Kaplan-Meier curves and log-rank tests (issue 6)
KM_GROUPS: tuple[str, ...] = ("stage", "msi_status", "side", "kras_braf")
#: reference levels of categorical Cox covariates
COX_REFERENCE: dict[str, str] = {"stage": "I", "msi_status": "MSS", "side": "left", "sex": "F"}
#: interval (months) of the number-at-risk tables and of the time axis of the Kaplan-Meier plots
AT_RISK_STEP: int = 12
#: readable names of the Kaplan-Meier groups
GROUP_NAMES = {"stage": "stage", "msi_status": "MSI status", "side": "tumour side", "kras_braf": "KRAS/BRAF V600E"}
#: days per month for survival times computed from dates (365.25 / 12)
DAYS_PER_MONTH = 30.4375
#: months from diagnosis to tumour sequencing: the delayed entry of a patient into the genomic cohort
ENTRY_COL = "sequencing_months"

# Tumour side from the ICD-10 subsite (WHO ICD-10 C18.0-C18.9, C19, C20). Right colon = caecum to
# transverse colon (C18.0-C18.4), left colon = splenic flexure to sigmoid (C18.5-C18.7), rectosigmoid and
# rectum = rectum. Studies differ on the transverse colon; C18.8/C18.9 (overlapping/unspecified) stay unknown.
_SIDE_BY_ICD10 = {"C180": "right", "C181": "right", "C182": "right", "C183": "right", "C184": "right",
                  "C185": "left", "C186": "left", "C187": "left", "C19": "rectum", "C20": "rectum"}


def side_from_icd10(code: object) -> str | None:
    """``right``, ``left`` or ``rectum`` from an ICD-10 code (``C18.2`` -> right); None if not determinable."""
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return None
    c = re.sub(r"[^A-Z0-9]", "", str(code).upper())
    for key in (c[:4], c[:3]):
        if key in _SIDE_BY_ICD10:
            return _SIDE_BY_ICD10[key]
    return None


# -----------------------------------------------------------------------------------------------------------
# Clinical records
# -----------------------------------------------------------------------------------------------------------


def clinical_from_omop(
    omop: Mapping[str, pd.DataFrame],
    *,
    icd10_prefixes: Sequence[str] = ("C18", "C19", "C20"),
    assay: str = "tumor_normal",
) -> pd.DataFrame:
    """One clinical row per colorectal-cancer patient of OMOP tables (:func:`bigmed_utils.io.omop.read_omop`).

    Columns ``patient_id`` (``person_source_value``), ``person_id``, ``icd10``, ``diagnosis_date``, ``age`` (at
    diagnosis, from the year of birth), ``sex``, ``side`` (:func:`side_from_icd10`), ``stage``, ``msi_score``
    (measurement mentioning "MSI", ``value_as_number``), ``mmr_ihc`` (measurement mentioning "MMR",
    ``value_source_value``), ``msi_status`` (:func:`~bigmed_utils.oncology.msi.assess_msi`), ``treatments``,
    ``sequencing_months`` (diagnosis to the first measurement mentioning "sequencing": the entry into the genomic
    cohort) and, from ``death`` and ``observation_period``, ``os_months``/``os_event`` (diagnosis to death, else to
    the end of observation). Progression is not in OMOP CDM: there is no PFS.
    """
    from ..io.omop import select_patients

    sel = select_patients(dict(omop), icd10_prefixes=icd10_prefixes)
    person = omop["person"].set_index("person_id")
    out = sel.copy()
    if "year_of_birth" in person.columns and "diagnosis_date" in out.columns:
        yob = pd.to_numeric(out["person_id"].map(person["year_of_birth"]), errors="coerce")
        out["age"] = pd.to_datetime(out["diagnosis_date"]).dt.year - yob
    gender = person["gender_source_value"] if "gender_source_value" in person.columns else None
    if gender is None and "gender_concept_id" in person.columns:  # OMOP gender concepts 8507 male, 8532 female
        gender = person["gender_concept_id"].map({"8507": "M", "8532": "F", 8507: "M", 8532: "F"})
    if gender is not None:
        out["sex"] = out["person_id"].map(gender)
    out["side"] = out["icd10"].map(side_from_icd10)
    if "measurement" in omop:
        m = omop["measurement"]
        src = m["measurement_source_value"].astype(str)
        if "value_as_number" in m.columns:
            msi = m[src.str.contains(r"\bMSI\b", case=False, regex=True)]
            out["msi_score"] = out["person_id"].map(
                pd.to_numeric(msi["value_as_number"], errors="coerce").groupby(msi["person_id"]).first())
        if "value_source_value" in m.columns:
            mmr = m[src.str.contains("MMR|mismatch", case=False, regex=True)]
            out["mmr_ihc"] = out["person_id"].map(mmr.groupby("person_id")["value_source_value"].first())
        seq = m[src.str.contains("sequencing", case=False, regex=False)]
        if len(seq) and "diagnosis_date" in out.columns:
            first = pd.to_datetime(out["person_id"].map(seq.groupby("person_id")["measurement_date"].min()))
            out["sequencing_months"] = ((first - pd.to_datetime(out["diagnosis_date"])).dt.days
                                        / DAYS_PER_MONTH).round(1)
    statuses = []
    for score, mmr in zip(out.get("msi_score", pd.Series(None, index=out.index)),
                          out.get("mmr_ihc", pd.Series(None, index=out.index))):
        res = assess_msi(msi_score=None if pd.isna(score) else float(score),
                         mmr_ihc=None if not isinstance(mmr, str) else mmr, assay=assay)
        statuses.append(None if res.status == "unknown" else res.status)
    out["msi_status"] = statuses
    end = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    event = pd.Series(0, index=out.index)
    if "observation_period" in omop and "observation_period_end_date" in omop["observation_period"].columns:
        obs = omop["observation_period"].groupby("person_id")["observation_period_end_date"].max()
        end = pd.to_datetime(out["person_id"].map(obs))
    if "death" in omop and "death_date" in omop["death"].columns:
        death = pd.to_datetime(out["person_id"].map(omop["death"].groupby("person_id")["death_date"].min()))
        event = death.notna().astype(int)
        end = death.where(death.notna(), end)
    if end.notna().any() and "diagnosis_date" in out.columns:
        out["os_months"] = ((end - pd.to_datetime(out["diagnosis_date"])).dt.days / DAYS_PER_MONTH).round(1)
        out["os_event"] = event.to_numpy()
    if "stage" in out.columns:
        out["stage"] = pd.Categorical(out["stage"], categories=["I", "II", "III", "IV"], ordered=True)
    out.attrs["source"] = "OMOP"
    return out


def read_clinical_any(path: str | os.PathLike, *, assay: str = "tumor_normal") -> pd.DataFrame:
    """The clinical table from a CSV (:func:`~bigmed_utils.oncology.cohort.read_clinical`) or an OMOP folder
    (:func:`clinical_from_omop`); ``attrs['source']`` says which (``CSV``/``OMOP``), ``attrs['name']`` the file."""
    from ..io.omop import read_omop

    p = Path(path)
    if p.is_dir():
        df = clinical_from_omop(read_omop(p), assay=assay)
    else:
        df = read_clinical(p)
        df.attrs["source"] = "CSV"
    df.attrs["name"] = p.name
    return df


def _patient_record(clinical: pd.DataFrame, patient_id: str) -> dict[str, Any]:
    rows = clinical[clinical["patient_id"].astype(str) == patient_id]
    if rows.empty:
        raise InputDataError(f"{clinical.attrs.get('name', 'clinical table')}: patient '{patient_id}' not found")
    rec = rows.iloc[0].to_dict()
    return {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in rec.items()}


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

    from ..io.vcf import read_vcf
    from .vcf_to_maf import maf_from_vcf_table

    p = Path(path)
    mt = read_vcf(p, genome_build=genome_build)
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
    alterations = [a for a in dict.fromkeys(sensitive["alteration"]) if a not in ("MSI-H", "TMB-H")]
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
    record = _patient_record(clinical, pid) if clinical is not None else {}

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


# -----------------------------------------------------------------------------------------------------------
# Cohort
# -----------------------------------------------------------------------------------------------------------


@dataclass
class CohortResult:
    """Everything the cohort report shows. ``summary`` is the content of ``summary.json``."""

    case_id: str
    selection_steps: pd.DataFrame
    cohort: pd.DataFrame
    mutation_matrix: pd.DataFrame
    exclusivity: Any
    exclusivity_table: pd.DataFrame
    tmb_by_msi: pd.DataFrame
    km_tables: dict[str, pd.DataFrame]
    at_risk: dict[str, dict[str, pd.DataFrame]]
    log_rank: pd.DataFrame
    cox: dict[str, Any]
    cox_tables: dict[str, pd.DataFrame]
    ph_checks: dict[str, pd.DataFrame]
    figures: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    delayed_entry: dict[str, Any] = field(default_factory=dict)

    @property
    def n_patients(self) -> int:
        return int(len(self.cohort))

    @property
    def headline(self) -> str:
        return self.summary["headline"]


def _select(params: Any, clinical: pd.DataFrame, barcodes: list[str],
            notes: list[str]) -> tuple[pd.DataFrame, list[tuple[str, int]]]:
    """Patients of the clinical table selected through the EHR (ICD-10, stage, treatment), EHR columns added."""
    from ..io.omop import read_omop, select_patients

    steps: list[tuple[str, int]] = [(f"clinical table ({clinical.attrs.get('name', '')})", len(clinical))]
    ehr_path = params.ehr or (params.clinical if Path(params.clinical).is_dir() else None)
    out = clinical.copy()
    if ehr_path is not None:
        omop = read_omop(ehr_path)
        icd = select_patients(omop, icd10_prefixes=params.icd10)
        steps.append((f"EHR: diagnosis coded ICD-10 {', '.join(params.icd10)}", len(icd)))
        sel = icd
        if params.stage:
            sel = select_patients(omop, icd10_prefixes=params.icd10, stage=params.stage)
            steps.append((f"EHR: stage {', '.join(params.stage)}", len(sel)))
        if params.treatment:
            sel = select_patients(omop, icd10_prefixes=params.icd10, stage=params.stage, treatment=params.treatment)
            steps.append((f"EHR: treated with {' or '.join(params.treatment)}", len(sel)))
        ehr_cols = [c for c in ("patient_id", "icd10", "diagnosis_date", "stage", "treatments") if c in sel.columns]
        ehr = sel[ehr_cols].rename(columns={"stage": "ehr_stage"})
        ehr["patient_id"] = ehr["patient_id"].astype(str)
        out = out.drop(columns=[c for c in ("icd10", "diagnosis_date", "treatments") if c in out.columns and c in ehr.columns])
        out = out.merge(ehr, on="patient_id", how="inner")
        steps.append(("in the clinical table and selected in the EHR", len(out)))
        if "ehr_stage" in out.columns:
            if "stage" in out.columns and clinical.attrs.get("source") != "OMOP":
                clin_stage = out["stage"].astype(object)
                ehr_stage = out["ehr_stage"].astype(object)
                n_diff = int((clin_stage.notna() & ehr_stage.notna()
                              & (clin_stage.astype(str) != ehr_stage.astype(str))).sum())
                notes.append(f"stage taken from the EHR (AJCC stage); it differs from the clinical table for "
                             f"{n_diff} patient(s)")
                out["stage"] = ehr_stage.where(ehr_stage.notna(), clin_stage)
            elif "stage" not in out.columns:
                out["stage"] = out["ehr_stage"]
            out = out.drop(columns="ehr_stage")
    else:
        notes.append("no EHR tables given: patients are not selected by ICD-10 code")
        if params.treatment:
            raise ParameterError("treatment: selecting by treatment needs the OMOP tables (parameter 'ehr')")
        if params.stage:
            if "stage" not in out.columns:
                raise InputDataError(f"{clinical.attrs.get('name', 'clinical table')}: no column 'stage' to select on")
            out = out[out["stage"].astype(str).isin(params.stage)]
            steps.append((f"stage {', '.join(params.stage)}", len(out)))
    if "stage" in out.columns:
        out["stage"] = pd.Categorical(out["stage"].astype(object), categories=["I", "II", "III", "IV"], ordered=True)
    mapping = match_barcodes(barcodes, out["patient_id"].astype(str))
    with_tumour = set(mapping.values())
    out = out[out["patient_id"].astype(str).isin(with_tumour)].reset_index(drop=True)
    steps.append(("with a tumour in the MAF", len(out)))
    out.attrs["sample_to_patient"] = {b: p for b, p in mapping.items()}
    return out, steps


def _delayed_entry(cohort: pd.DataFrame, wanted: bool, notes: list[str]) -> tuple[str | None, dict[str, Any]]:
    """The entry column of the survival analyses and the ``delayed_entry`` summary: survival counts from
    diagnosis, and a patient enters the risk sets at the sequencing of the tumour (left truncation), so the time
    between the two, which the patient had to survive to be sequenced, is not credited to any group."""
    has = ENTRY_COL in cohort.columns and cohort[ENTRY_COL].notna().any()
    applied = bool(wanted and has)
    info: dict[str, Any] = {"applied": applied, "entry": ENTRY_COL if applied else None,
                            "n_entered_after_diagnosis": None, "median_entry_months": None}
    if applied:
        delay = pd.to_numeric(cohort[ENTRY_COL], errors="coerce")
        later = delay[delay > 0]
        info.update(n_entered_after_diagnosis=int(len(later)),
                    median_entry_months=float(later.median()) if len(later) else None)
        info["statement"] = (f"Survival is counted from diagnosis with delayed entry at the sequencing date "
                             f"('{ENTRY_COL}', left truncation): {len(later)} of {len(cohort)} patients were sequenced "
                             f"after diagnosis (median {_fmt(info['median_entry_months'])} months) and join the risk "
                             "sets only then, so their survival before sequencing (immortal time) is not credited "
                             "to any genomic group.")
    elif has:
        info["statement"] = ("Delayed entry switched off (delayed_entry: false): survival from diagnosis although "
                             "tumours were sequenced later; estimates carry immortal-time bias.")
    else:
        info["statement"] = (f"No sequencing date ('{ENTRY_COL}') in the clinical data: survival from diagnosis "
                             "without delayed entry; if tumours were sequenced after diagnosis the estimates carry "
                             "immortal-time bias.")
    notes.append(info["statement"])
    return (ENTRY_COL if applied else None), info


def _km_key(endpoint: str, group: str) -> str:
    return f"km_{endpoint}_{group}"


def analyse_cohort(params: Any) -> CohortResult:
    """Cohort analysis of colorectal cancers: EHR selection, mutations, survival by molecular group, Cox models.

    Parameters
    ----------
    params
        :class:`~bigmed_utils.params.ColorectalCohortParams` (or a mapping validated into one).

    Returns
    -------
    CohortResult
        Tables, figures (``oncoplot``, ``tmb_by_msi``, ``km_<endpoint>_<group>``, ``forest_<endpoint>``) and
        ``summary`` with ``case_id``, ``n_patients``, ``km`` (``{endpoint: {all|group: {level: {n, events,
        median, ci_lower, ci_upper}}}}``, months, ``None`` = not reached), ``cox`` (``{endpoint: {covariate:
        {hr, ci_lower, ci_upper, p}}}``), ``log_rank`` (``{endpoint: {group: {statistic, dof, p, ...}}}``),
        ``delayed_entry`` (``{applied, entry, n_entered_after_diagnosis, median_entry_months, statement}``: with a
        ``sequencing_months`` column every survival analysis uses delayed entry at sequencing) and ``headline``.

    Raises
    ------
    ParameterError, InputDataError
        One line naming the parameter, file, column or patient at fault (negative survival time, missing
        covariate, unknown stage ...).
    """
    from scipy.stats import mannwhitneyu

    from ..io.maf import read_maf
    from ..params import ColorectalCohortParams, validate_params
    from .cohort import cohort_table
    from .oncoplot import mutual_exclusivity, oncoplot, tmb_by_msi_plot
    from .survival import (at_risk_table, cox_ph, forest_plot, kaplan_meier, logrank, plot_km,
                           proportional_hazards_check)

    if not isinstance(params, ColorectalCohortParams):
        params = validate_params("colorectal_cohort", dict(params))
    maf = read_maf(params.maf)
    barcodes = list(dict.fromkeys(maf["Tumor_Sample_Barcode"]))
    clinical = read_clinical_any(params.clinical, assay=params.msi_assay)
    notes: list[str] = []
    selected, steps = _select(params, clinical, barcodes, notes)
    if selected.empty:
        raise InputDataError("no patient is left after the selection (ICD-10, stage, treatment) and the join to the MAF")
    mapping = selected.attrs["sample_to_patient"]
    cohort = cohort_table(selected, maf, callable_mb=params.callable_mb, sample_to_patient=mapping)
    cohort = cohort.rename(columns={"KRAS_mut": "kras_mut"})
    if "age" in cohort.columns:
        cohort["age_per_10y"] = pd.to_numeric(cohort["age"], errors="coerce") / 10
    cohort["kras_activating"] = cohort["kras_braf"].isin(["KRAS", "both"])
    cohort_barcodes = list(cohort["tumor_barcode"])
    maf_sel = maf[maf["Tumor_Sample_Barcode"].isin(set(cohort_barcodes))]
    figures: dict[str, Any] = {}

    # mutations
    annotations = [c for c in ("msi_status", "side") if c in cohort.columns]
    fig, matrix = oncoplot(maf_sel, clinical=cohort, top_n=params.top_n_genes, annotations=annotations,
                           samples=cohort_barcodes, sample_to_patient={b: mapping[b] for b in cohort_barcodes},
                           title=f"Top {params.top_n_genes} mutated genes, {len(cohort)} tumours")
    figures["oncoplot"] = fig
    excl = mutual_exclusivity(pd.DataFrame({"KRAS": cohort["kras_activating"], "BRAF V600E": cohort["braf_v600e"]}),
                              "KRAS", "BRAF V600E")
    excl_table = pd.DataFrame({"BRAF V600E": [excl.both, excl.b_only], "BRAF V600E absent": [excl.a_only, excl.neither]},
                              index=pd.Index(["KRAS mutant", "KRAS wild type"], name="KRAS (missense/in-frame)"))
    tmb_rows = []
    if "msi_status" in cohort.columns:
        for status, sub in cohort.groupby(cohort["msi_status"].astype(str)):
            tmb_rows.append({"msi_status": status, "n": len(sub), "median_tmb": sub["tmb"].median(),
                             "q1": sub["tmb"].quantile(0.25), "q3": sub["tmb"].quantile(0.75),
                             "tmb_high_percent": 100 * sub["tmb_high"].mean()})
        figures["tmb_by_msi"] = tmb_by_msi_plot(cohort)
    tmb_table = pd.DataFrame(tmb_rows)
    groups = cohort["msi_status"].dropna().astype(str).unique() if "msi_status" in cohort.columns else []
    if len(groups) == 2:
        a, b = (cohort.loc[cohort["msi_status"].astype(str) == g, "tmb"] for g in sorted(groups))
        tmb_table.attrs["mann_whitney_p"] = float(mannwhitneyu(a, b, alternative="two-sided").pvalue)

    # survival
    endpoints = {k: v for k, v in ENDPOINTS.items() if v[0] in cohort.columns and v[1] in cohort.columns}
    if "os" not in endpoints:
        raise InputDataError(f"{clinical.attrs.get('name', 'clinical table')}: no overall-survival columns "
                             "'os_months' and 'os_event'")
    km_summary: dict[str, Any] = {}
    lr_summary: dict[str, Any] = {}
    cox_summary: dict[str, Any] = {}
    km_tables, at_risk, cox_results, cox_tables, ph = {}, {}, {}, {}, {}
    lr_rows = []
    covariates = [c for c in params.cox_covariates]
    for c in covariates:
        if c not in cohort.columns:
            raise InputDataError(f"Cox covariate '{c}' is not available in the cohort table "
                                 f"({clinical.attrs.get('name', 'clinical table')})")
    entry, delayed = _delayed_entry(cohort, params.delayed_entry, notes)
    for ep, (tcol, ecol) in endpoints.items():
        data = cohort
        if entry and ep != "os":
            # progression before sequencing: the patient never entered the risk set of this endpoint
            before = pd.to_numeric(cohort[tcol], errors="coerce") < cohort[entry]
            if before.any():
                notes.append(f"{ENDPOINT_NAMES[ep]}: {int(before.sum())} patient(s) with the event before "
                             "sequencing are left out (they never entered the risk set)")
                data = cohort[~before]
        t_max = float(pd.to_numeric(data[tcol], errors="coerce").max())
        times = list(range(0, int(np.ceil(max(t_max, 1) / AT_RISK_STEP)) * AT_RISK_STEP + 1, AT_RISK_STEP)) \
            if np.isfinite(t_max) else [0]
        overall = kaplan_meier(data, time_col=tcol, event_col=ecol, entry_col=entry)
        notes.extend(f"{ENDPOINT_NAMES[ep]}: {n}" for n in overall.notes)
        km_summary[ep] = {"all": overall.to_dict()["all"]}
        lr_summary[ep] = {}
        at_risk[ep] = {"all": at_risk_table(overall, times=times)}
        tables = [overall.summary.assign(variable="all")]
        figures[_km_key(ep, "all")] = plot_km(overall, title=f"{ENDPOINT_NAMES[ep]}, all patients", xticks=times)
        for g in KM_GROUPS:
            if g not in data.columns or data[g].dropna().astype(str).nunique() < 2:
                continue
            km = kaplan_meier(data, time_col=tcol, event_col=ecol, group_col=g, entry_col=entry)
            notes.extend(f"{ENDPOINT_NAMES[ep]}: {n}" for n in km.notes)
            km_summary[ep][g] = km.to_dict()
            tables.append(km.summary.assign(variable=g))
            at_risk[ep][g] = at_risk_table(km, times=times)
            lr = logrank(data, time_col=tcol, event_col=ecol, group_col=g, entry_col=entry)
            lr_summary[ep][g] = lr.to_dict()
            lr_rows.append({"endpoint": ep, "group": g, "statistic": lr.statistic, "dof": lr.dof, "p": lr.p})
            figures[_km_key(ep, g)] = plot_km(km, title=f"{ENDPOINT_NAMES[ep]} by {GROUP_NAMES.get(g, g)} "
                                                        f"(log-rank p = {lr.p:.2g})", xticks=times)
        table = pd.concat(tables, ignore_index=True)
        table["median (95% CI), months"] = [
            f"{_nr(m)} ({_nr(lo)}-{_nr(hi)})" for m, lo, hi in
            zip(table["median"], table["median_ci_lower"], table["median_ci_upper"])]
        km_tables[ep] = table[["variable", "group", "n", "events", "median (95% CI), months"]]
        # the usual reference level when the selection kept it (a stage III-IV cohort is compared with III)
        reference = {k: v for k, v in COX_REFERENCE.items()
                     if k in covariates and (data[k].astype(str) == v).any()}
        cox = cox_ph(data, time_col=tcol, event_col=ecol, covariates=covariates, reference=reference, entry_col=entry)
        cox_results[ep] = cox
        cox_tables[ep] = cox.hr_table
        cox_summary[ep] = cox.to_dict()
        ph[ep] = proportional_hazards_check(cox)
        figures[f"forest_{ep}"] = forest_plot(cox, title=f"{ENDPOINT_NAMES[ep]}: hazard ratios (95% CI)")

    os_hr = cox_tables["os"].set_index("covariate")
    stage_ref = os_hr.loc["stage=IV", "reference"].split("=")[-1] if "stage=IV" in os_hr.index else "I"
    shown = [c for c in ("stage=IV", "msi_status=MSI-H", "braf_v600e") if c in os_hr.index]
    label = {"stage=IV": f"stage IV vs {stage_ref}", "msi_status=MSI-H": "MSI-H vs MSS", "braf_v600e": "BRAF V600E"}
    hr_text = "; ".join(f"{label[c]} HR {os_hr.loc[c, 'hr']:.2f} ({os_hr.loc[c, 'ci_lower']:.2f}-"
                        f"{os_hr.loc[c, 'ci_upper']:.2f})" for c in shown)
    med = km_summary["os"]["all"]["median"]
    headline = (f"{len(cohort)} patients; median OS {_fmt(med)} months" if med is not None
                else f"{len(cohort)} patients; median OS not reached")
    headline += f"; OS Cox: {hr_text}" if hr_text else ""
    summary = {"case_id": params.case_id, "n_patients": int(len(cohort)), "km": km_summary, "cox": cox_summary,
               "log_rank": lr_summary, "delayed_entry": delayed, "headline": headline}
    _close(figures)
    return CohortResult(
        case_id=params.case_id,
        selection_steps=pd.DataFrame(steps, columns=["step", "patients"]),
        cohort=cohort, mutation_matrix=matrix, exclusivity=excl, exclusivity_table=excl_table,
        tmb_by_msi=tmb_table, km_tables=km_tables, at_risk=at_risk,
        log_rank=pd.DataFrame(lr_rows, columns=["endpoint", "group", "statistic", "dof", "p"]),
        cox=cox_results, cox_tables=cox_tables, ph_checks=ph, figures=figures, summary=summary, notes=notes,
        delayed_entry=delayed,
    )


__all__ = [
    "PatientResult",
    "CohortResult",
    "analyse_patient",
    "analyse_cohort",
    "somatic_variants_from_vcf",
    "clinical_from_omop",
    "read_clinical_any",
    "side_from_icd10",
    "ENDPOINTS",
    "KM_GROUPS",
    "AT_RISK_STEP",
]
