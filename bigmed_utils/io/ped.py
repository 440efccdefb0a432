"""Read and validate PED (pedigree) files.

The six PLINK/LINKAGE columns are read by position: family, individual, father, mother, sex, phenotype.
Three header styles occur in public pipelines and are all accepted: none (slivar, Scout cancer demo),
``#Family ID  Individual ID ...`` (Scout/MIP) and ``#Kindred_ID Sample_ID ...`` (UDN/slivar): every line
starting with ``#`` is treated as a header or comment. Columns may be separated by tabs or spaces; extra
columns after the sixth are ignored.

Coding (PLINK 1.9 ``.fam``, https://www.cog-genomics.org/plink/1.9/formats#fam): parent ``0`` = not in the
file; sex ``1`` male, ``2`` female, anything else unknown (``0``); phenotype ``1`` unaffected, ``2``
affected, anything else (``0``, ``-9``) unknown (``0``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputDataError

PED_COLUMNS = ["family_id", "individual_id", "paternal_id", "maternal_id", "sex", "phenotype"]

#: sex codes (PLINK .fam)
MALE, FEMALE, UNKNOWN_SEX = 1, 2, 0
#: phenotype codes (PLINK .fam, case/control)
UNAFFECTED, AFFECTED, UNKNOWN_PHENOTYPE = 1, 2, 0

_MISSING_PARENT = {"0", ".", "-9", ""}


def read_ped(path: str | os.PathLike) -> pd.DataFrame:
    """Read a PED file into a validated table, one row per individual.

    Parameters
    ----------
    path
        PED file (tab or whitespace separated; an optional ``#`` header line).

    Returns
    -------
    pandas.DataFrame
        Columns ``family_id``, ``individual_id``, ``paternal_id``, ``maternal_id`` (``None`` for ``0``),
        ``sex`` (1 male, 2 female, 0 unknown) and ``phenotype`` (1 unaffected, 2 affected, 0 unknown),
        both ``int``. ``df.attrs["path"]`` holds the file name (used in later error messages).

    Raises
    ------
    InputDataError
        File missing or empty, a line with fewer than six columns, a duplicate individual, a parent id
        that names nobody in the file, a father coded female or a mother coded male, or a pedigree loop
        (someone their own ancestor). The message names the file and the individual.
    """
    p = Path(path)
    if not p.is_file():
        raise InputDataError(f"PED file not found: {p}")
    rows: list[list[Any]] = []
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = p.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputDataError(f"{p}: line {line} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); "
                             "a PED file is plain text") from None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        if len(fields) < 6:
            raise InputDataError(
                f"{p}: line {lineno} has {len(fields)} columns; a PED line needs 6 "
                "(family, individual, father, mother, sex, phenotype)"
            )
        fam, ind, pat, mat, sex, phe = fields[:6]
        rows.append(
            [
                fam,
                ind,
                None if pat in _MISSING_PARENT else pat,
                None if mat in _MISSING_PARENT else mat,
                int(sex) if sex in ("1", "2") else UNKNOWN_SEX,
                int(phe) if phe in ("1", "2") else UNKNOWN_PHENOTYPE,
            ]
        )
    if not rows:
        raise InputDataError(f"{p}: no individuals in PED file")
    df = pd.DataFrame(rows, columns=PED_COLUMNS).astype({"sex": int, "phenotype": int})
    df = df.astype({"paternal_id": object, "maternal_id": object})
    df = df.where(df.notna(), None)
    df.attrs["path"] = str(p)
    validate_ped(df, path=str(p))
    return df


def validate_ped(df: pd.DataFrame, *, path: str = "PED") -> None:
    """Check a pedigree table (see :func:`read_ped`); raise :class:`InputDataError` on the first problem."""
    dup = df["individual_id"][df["individual_id"].duplicated()]
    if len(dup):
        raise InputDataError(f"{path}: individual {dup.iloc[0]!r} appears more than once")
    by_id = df.set_index("individual_id")
    for _, row in df.iterrows():
        ind = row["individual_id"]
        for col, role, bad_sex, bad_word in (
            ("paternal_id", "father", FEMALE, "female"),
            ("maternal_id", "mother", MALE, "male"),
        ):
            parent = row[col]
            if parent is None:
                continue
            if parent == ind:
                raise InputDataError(f"{path}: individual {ind!r} is their own {role}")
            if parent not in by_id.index:
                raise InputDataError(
                    f"{path}: {role} {parent!r} of individual {ind!r} has no line of their own in the PED"
                )
            if by_id.at[parent, "sex"] == bad_sex:
                raise InputDataError(f"{path}: {parent!r} is the {role} of {ind!r} but is coded {bad_word}")
    # pedigree loop: depth-first search over parent links
    parents = {
        r["individual_id"]: [x for x in (r["paternal_id"], r["maternal_id"]) if x is not None]
        for _, r in df.iterrows()
    }
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str) -> None:
        state[node] = 1
        for par in parents.get(node, []):
            if state.get(par) == 1:
                raise InputDataError(f"{path}: pedigree loop: individual {par!r} is their own ancestor")
            if state.get(par) is None:
                visit(par)
        state[node] = 2

    for ind in parents:
        if ind not in state:
            visit(ind)


def ped_to_hail_pedigree(df: pd.DataFrame) -> Any:
    """The pedigree as an ``hl.Pedigree`` (for ``hl.mendel_errors``, ``hl.de_novo``, ``hl.trio_matrix``).

    Sex ``0`` becomes ``is_female=None``; Hail uses only complete trios (both parents given) in those
    functions.
    """
    import hail as hl

    trios = [
        hl.Trio(
            s=r["individual_id"],
            fam_id=r["family_id"],
            pat_id=r["paternal_id"],
            mat_id=r["maternal_id"],
            is_female=None if r["sex"] == UNKNOWN_SEX else bool(r["sex"] == FEMALE),
        )
        for _, r in df.iterrows()
    ]
    return hl.Pedigree(trios)


def family_members(df: pd.DataFrame, *, proband: str) -> dict[str, str | None]:
    """Father and mother of the proband (``None`` when not given), checked against the PED."""
    rows = df[df["individual_id"] == proband]
    if rows.empty:
        raise InputDataError(f"{df.attrs.get('path', 'PED')}: proband {proband!r} is not in the PED")
    r = rows.iloc[0]
    return {"proband": proband, "father": r["paternal_id"], "mother": r["maternal_id"]}


__all__ = [
    "read_ped",
    "validate_ped",
    "ped_to_hail_pedigree",
    "family_members",
    "PED_COLUMNS",
    "MALE",
    "FEMALE",
    "UNKNOWN_SEX",
    "AFFECTED",
    "UNAFFECTED",
    "UNKNOWN_PHENOTYPE",
]
