"""Cohort helpers: clinical CSV, barcode-to-patient join, driver mutations and per-patient genomic features.

Driver genes: the significantly mutated genes of colorectal cancer in TCGA (Nature 2012;487:330-7;
non-hypermutated: APC, TP53, SMAD4, PIK3CA, KRAS, FBXW7, TCF7L2, NRAS, CTNNB1, SMAD2, AMER1 (FAM123B),
SOX9, ARID1A, ACVR1B, ATM; hypermutated: ACVR2A, TGFBR2, BRAF, MSH3, MSH6) plus the genes of the
actionability knowledge base (ERBB2, NTRK1-3, POLE).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import pandas as pd

from ..errors import InputDataError, ParameterError
from .hgvsp import normalise_hgvsp
from .tmb import NONSYNONYMOUS_CLASSES, TMB_HIGH_THRESHOLD, tmb_by_sample

#: colorectal-cancer driver genes (TCGA 2012 significantly mutated genes + actionable genes)
CRC_DRIVER_GENES: tuple[str, ...] = (
    "APC", "TP53", "KRAS", "NRAS", "BRAF", "PIK3CA", "SMAD4", "FBXW7", "TCF7L2", "CTNNB1", "SMAD2",
    "AMER1", "SOX9", "ARID1A", "ACVR1B", "ATM", "ACVR2A", "TGFBR2", "MSH3", "MSH6", "ERBB2", "POLE",
    "NTRK1", "NTRK2", "NTRK3",
)

#: clinical CSV columns (synthetic cohort contract) and their allowed values
CLINICAL_REQUIRED: tuple[str, ...] = ("patient_id",)
CLINICAL_VALUES: dict[str, frozenset] = {
    "stage": frozenset({"I", "II", "III", "IV"}),
    "side": frozenset({"left", "right", "rectum"}),
    "msi_status": frozenset({"MSI-H", "MSS"}),
    "mmr_ihc": frozenset({"deficient", "proficient"}),
    "sex": frozenset({"female", "male", "F", "M", "other", "unknown"}),
}


def read_clinical(path: str | os.PathLike, *, required: Sequence[str] = CLINICAL_REQUIRED) -> pd.DataFrame:
    """Read the per-patient clinical CSV and check ids and categorical values.

    Missing values are allowed (checked later by the analysis that needs them); a value outside the
    allowed set of ``stage`` (I-IV), ``side`` (left/right/rectum), ``msi_status`` (MSI-H/MSS) or
    ``mmr_ihc`` (deficient/proficient) raises :class:`InputDataError` naming the column and patient.
    """
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"clinical: file not found: {p}")
    try:
        df = pd.read_csv(p)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{p}: cannot be read as CSV ({str(exc).splitlines()[0]})") from None
    for col in required:
        if col not in df.columns:
            raise InputDataError(f"{p}: clinical table is missing required column '{col}'")
    ids = df["patient_id"].astype(str)
    dup = ids[ids.duplicated()]
    if len(dup):
        raise InputDataError(f"{p}: patient_id '{dup.iloc[0]}' occurs more than once")
    df["patient_id"] = ids
    for col, allowed in CLINICAL_VALUES.items():
        if col not in df.columns:
            continue
        bad = df[df[col].notna() & ~df[col].astype(str).isin(allowed)]
        if len(bad):
            raise InputDataError(
                f"{p}: column '{col}' has value {bad[col].iloc[0]!r} for patient {bad['patient_id'].iloc[0]} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
    if "stage" in df.columns:
        df["stage"] = pd.Categorical(df["stage"], categories=["I", "II", "III", "IV"], ordered=True)
    df.attrs["path"] = str(p)
    return df


def match_barcodes(barcodes: Iterable[str], patient_ids: Iterable[str]) -> dict[str, str]:
    """Map tumour barcodes to patient ids: exact match first, else the longest patient id that prefixes the
    barcode (``CRC0001-T`` -> ``CRC0001``; ``TCGA-AG-A002-01A`` -> ``TCGA-AG-A002``); ``.`` and ``-`` are
    treated as equal. Barcodes without a patient are left out."""
    def norm(x: str) -> str:
        return str(x).replace(".", "-")

    ids = sorted({norm(i): str(i) for i in patient_ids}.items(), key=lambda kv: -len(kv[0]))
    exact = dict(ids)
    out: dict[str, str] = {}
    for barcode in barcodes:
        b = norm(barcode)
        if b in exact:
            out[str(barcode)] = exact[b]
            continue
        for key, original in ids:
            if b.startswith(key) and (len(b) == len(key) or not b[len(key)].isalnum()):
                out[str(barcode)] = original
                break
    return out


def variant_id(row: Mapping) -> str:
    """``chrom:pos:ref:alt`` of a MAF row (MAF coordinates and alleles)."""
    return f"{row['Chromosome']}:{row['Start_Position']}:{row['Reference_Allele']}:{row['Tumor_Seq_Allele2']}"


def driver_mutations(
    maf: pd.DataFrame,
    *,
    genes: Sequence[str] = CRC_DRIVER_GENES,
    variant_classes: Iterable[str] = NONSYNONYMOUS_CLASSES,
) -> pd.DataFrame:
    """Non-synonymous coding mutations in driver genes: columns ``gene, hgvsp, variant_classification,
    variant, Tumor_Sample_Barcode`` (``hgvsp`` in one-letter form, ``variant`` = ``chrom:pos:ref:alt``, taken
    from a ``variant`` column when the table has one, e.g. from :func:`maf_from_vcf_table`), ordered as ``genes``."""
    rows = maf[maf["Hugo_Symbol"].isin(genes) & maf["Variant_Classification"].isin(set(variant_classes))]
    out = pd.DataFrame({
        "gene": rows["Hugo_Symbol"].astype(str),
        "hgvsp": [normalise_hgvsp(h) for h in rows["HGVSp_Short"]] if "HGVSp_Short" in rows else None,
        "variant_classification": rows["Variant_Classification"],
        # a table converted from a VCF keeps the VCF's own chrom:pos:ref:alt (the summary.json contract)
        "variant": rows["variant"].astype(str) if "variant" in rows.columns
        else [variant_id(r) for r in rows.to_dict("records")],
        "Tumor_Sample_Barcode": rows["Tumor_Sample_Barcode"],
    })
    rank = {g: i for i, g in enumerate(genes)}
    out = out.assign(_r=out["gene"].map(rank)).sort_values(["_r", "variant"], kind="stable").drop(columns="_r")
    return out.reset_index(drop=True)


def _kras_braf_group(kras: bool, braf_v600e: bool) -> str:
    if kras and braf_v600e:
        return "both"
    return "KRAS" if kras else "BRAF V600E" if braf_v600e else "wild-type"


def cohort_table(
    clinical: pd.DataFrame,
    maf: pd.DataFrame,
    *,
    callable_mb: float,
    genes: Sequence[str] = ("APC", "TP53", "KRAS", "NRAS", "BRAF", "PIK3CA", "SMAD4", "POLE"),
    threshold: float = TMB_HIGH_THRESHOLD,
    sample_to_patient: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Clinical table joined with per-patient genomic features.

    Adds ``tumor_barcode``, ``n_variants``, ``tmb``, ``tmb_high``, one boolean ``<GENE>_mut`` column per gene
    (any non-synonymous coding mutation), ``braf_v600e`` and ``kras_braf`` (``KRAS`` = KRAS missense or
    in-frame change, ``BRAF V600E``, ``both`` or ``wild-type``). Patients without a tumour in the MAF get
    TMB 0 only if ``sample_to_patient`` lists their barcode; otherwise their genomic columns are missing.
    """
    if "patient_id" not in clinical.columns:
        raise InputDataError("clinical table has no column 'patient_id'")
    patients = clinical["patient_id"].astype(str)
    mapping = dict(sample_to_patient) if sample_to_patient is not None else match_barcodes(
        maf["Tumor_Sample_Barcode"].unique(), patients)
    tmb = tmb_by_sample(maf, callable_mb=callable_mb, samples=list(mapping), threshold=threshold)
    tmb["patient_id"] = tmb["Tumor_Sample_Barcode"].map(mapping)
    tmb = tmb.rename(columns={"Tumor_Sample_Barcode": "tumor_barcode", "tmb_high": "tmb_high"})
    nonsyn = maf[maf["Variant_Classification"].isin(set(NONSYNONYMOUS_CLASSES))]
    for gene in genes:
        mutated = set(nonsyn.loc[nonsyn["Hugo_Symbol"] == gene, "Tumor_Sample_Barcode"])
        tmb[f"{gene}_mut"] = tmb["tumor_barcode"].isin(mutated)
    braf = nonsyn[nonsyn["Hugo_Symbol"] == "BRAF"]
    v600e = {s for s, h in zip(braf["Tumor_Sample_Barcode"], braf["HGVSp_Short"]) if normalise_hgvsp(h) == "V600E"}
    kras = nonsyn[(nonsyn["Hugo_Symbol"] == "KRAS")
                  & nonsyn["Variant_Classification"].isin({"Missense_Mutation", "In_Frame_Del", "In_Frame_Ins"})]
    kras_set = set(kras["Tumor_Sample_Barcode"])
    tmb["braf_v600e"] = tmb["tumor_barcode"].isin(v600e)
    tmb["kras_braf"] = [_kras_braf_group(b in kras_set, b in v600e) for b in tmb["tumor_barcode"]]
    dup = tmb["patient_id"][tmb["patient_id"].duplicated()]
    if len(dup):
        raise InputDataError(f"patient {dup.iloc[0]} has more than one tumour barcode in the MAF; pass sample_to_patient")
    merged = clinical.assign(patient_id=patients).merge(tmb, on="patient_id", how="left")
    return merged


__all__ = [
    "CRC_DRIVER_GENES",
    "read_clinical",
    "match_barcodes",
    "variant_id",
    "driver_mutations",
    "cohort_table",
]
