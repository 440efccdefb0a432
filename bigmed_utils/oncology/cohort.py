"""Cohort helpers: driver mutations and per-patient genomic features (the clinical CSV reader and the
barcode-to-patient join live in :mod:`bigmed_utils.io.clinical`, importable from here too).

Driver genes: the significantly mutated genes of colorectal cancer in TCGA (Nature 2012;487:330-7;
non-hypermutated: APC, TP53, SMAD4, PIK3CA, KRAS, FBXW7, TCF7L2, NRAS, CTNNB1, SMAD2, AMER1 (FAM123B),
SOX9, ARID1A, ACVR1B, ATM; hypermutated: ACVR2A, TGFBR2, BRAF, MSH3, MSH6) plus the genes of the
actionability knowledge base (ERBB2, NTRK1-3, POLE).
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import pandas as pd

from ..errors import InputDataError
from ..io.clinical import CLINICAL_REQUIRED, CLINICAL_VALUES, match_barcodes, read_clinical  # noqa: F401
from .hgvsp import normalise_hgvsp
from .tmb import NONSYNONYMOUS_CLASSES, TMB_HIGH_THRESHOLD, tmb_by_sample

#: colorectal-cancer driver genes (TCGA 2012 significantly mutated genes + actionable genes)
CRC_DRIVER_GENES: tuple[str, ...] = (
    "APC", "TP53", "KRAS", "NRAS", "BRAF", "PIK3CA", "SMAD4", "FBXW7", "TCF7L2", "CTNNB1", "SMAD2",
    "AMER1", "SOX9", "ARID1A", "ACVR1B", "ATM", "ACVR2A", "TGFBR2", "MSH3", "MSH6", "ERBB2", "POLE",
    "NTRK1", "NTRK2", "NTRK3",
)

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
