"""Inputs of the sudden-cardiac-death analysis: the ECG / echocardiography / clinical CSVs and the PED file,
and what the clinical CSV says about each family member (affected, deceased, proband).

Research use only; not a medical device.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputDataError, ParameterError
from ..io.ped import read_ped
from .pedigree import Pedigree, validate_pedigree
from .._values import is_missing as _missing_value


def _name(path: Any) -> str:
    return Path(str(path)).name


def _read_csv(path: str | os.PathLike | None, what: str) -> pd.DataFrame | None:
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise InputDataError(f"{what} file not found: {p.name}")
    try:
        df = pd.read_csv(p, dtype={"person_id": str, "family_id": str})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputDataError(f"{p.name}: cannot read the {what} CSV ({str(exc).splitlines()[0]})") from None
    if "person_id" not in df.columns:
        raise InputDataError(f"{p.name}: the {what} CSV has no person_id column")
    df["person_id"] = df["person_id"].astype(str).str.strip()
    df.attrs["path"] = p.name
    return df


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):
        pass
    return str(value).strip().lower() in {"1", "1.0", "true", "yes", "y", "ja"}


def load_pedigree(ped: str | os.PathLike | pd.DataFrame, *, family_id: str, proband: str) -> tuple[pd.DataFrame, Pedigree]:
    """Read and validate the PED file and return ``(all rows, the family's Pedigree)``.

    Raises
    ------
    InputDataError
        A parent without a row, a loop, a duplicate, a wrong-sex parent (the message names the individual),
        or no row for ``family_id``.
    ParameterError
        The proband is not a member of the family.
    """
    if isinstance(ped, pd.DataFrame):
        df, source = ped, ped.attrs.get("path", "PED")
    else:
        df, source = read_ped(ped), _name(ped)
    pedigree = validate_pedigree(df, family_id=str(family_id), source=_name(source))
    if proband not in pedigree:
        fam_of = df.loc[df["individual_id"] == proband, "family_id"]
        where = f" (it belongs to family {fam_of.iloc[0]!r})" if len(fam_of) else ""
        raise ParameterError(f"proband: {proband!r} is not a member of family {family_id!r} in {_name(source)}{where}")
    return df, pedigree


def _affected_map(pedigree: Pedigree, clinical: pd.DataFrame | None) -> dict[str, str]:
    out = {i: {2: "affected", 1: "unaffected"}.get(pedigree.phenotype[i], "unknown") for i in pedigree.order}
    if clinical is not None and "affected_status" in clinical.columns:
        rec = clinical.drop_duplicates("person_id").set_index("person_id")["affected_status"]
        for i in pedigree.order:
            if out[i] == "unknown" and i in rec.index and not pd.isna(rec[i]):
                out[i] = "affected" if _truthy(rec[i]) else "unaffected"
    return out


def _deceased(pedigree: Pedigree, clinical: pd.DataFrame | None) -> set[str]:
    if clinical is None or "deceased" not in clinical.columns:
        return set()
    dead = clinical.loc[clinical["deceased"].map(_truthy), "person_id"]
    return {d for d in dead if d in pedigree}


def _probands_from_clinical(clinical: pd.DataFrame | None, ped_df: pd.DataFrame) -> dict[str, str]:
    if clinical is None or "proband" not in clinical.columns:
        return {}
    fam_of = dict(zip(ped_df["individual_id"], ped_df["family_id"].astype(str)))
    out: dict[str, str] = {}
    for pid in clinical.loc[clinical["proband"].map(_truthy), "person_id"]:
        if pid in fam_of:
            out.setdefault(fam_of[pid], pid)
    return out
