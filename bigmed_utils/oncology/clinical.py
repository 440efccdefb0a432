"""Clinical records of colorectal-cancer patients: a clinical CSV or OMOP CDM tables, one row per patient,
with the MSI status. The readers are in :mod:`bigmed_utils.io.clinical`; their names are importable from here.

Used by both analyses (:mod:`bigmed_utils.oncology.patient`, :mod:`bigmed_utils.oncology.analysis`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from ..io.clinical import DAYS_PER_MONTH, omop_clinical_table, read_clinical, side_from_icd10
from .msi import assess_msi


def clinical_from_omop(
    omop: Mapping[str, pd.DataFrame],
    *,
    icd10_prefixes: Sequence[str] = ("C18", "C19", "C20"),
    assay: str = "tumor_normal",
) -> pd.DataFrame:
    """One clinical row per colorectal-cancer patient of OMOP tables (:func:`bigmed_utils.io.omop.read_omop`):
    the columns of :func:`bigmed_utils.io.clinical.omop_clinical_table` with ``msi_status``
    (:func:`~bigmed_utils.oncology.msi.assess_msi` of ``msi_score`` and ``mmr_ihc`` for ``assay``) before the
    survival columns."""
    out = omop_clinical_table(omop, icd10_prefixes=icd10_prefixes)
    statuses = []
    for score, mmr in zip(out.get("msi_score", pd.Series(None, index=out.index)),
                          out.get("mmr_ihc", pd.Series(None, index=out.index))):
        res = assess_msi(msi_score=None if pd.isna(score) else float(score),
                         mmr_ihc=None if not isinstance(mmr, str) else mmr, assay=assay)
        statuses.append(None if res.status == "unknown" else res.status)
    at = out.columns.get_loc("os_months") if "os_months" in out.columns else len(out.columns)
    out.insert(at, "msi_status", statuses)
    return out


def read_clinical_any(path: str | os.PathLike, *, assay: str = "tumor_normal") -> pd.DataFrame:
    """The clinical table from a CSV (:func:`~bigmed_utils.io.clinical.read_clinical`) or an OMOP folder
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


__all__ = ["side_from_icd10", "clinical_from_omop", "read_clinical_any", "DAYS_PER_MONTH"]
