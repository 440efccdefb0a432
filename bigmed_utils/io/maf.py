"""Read somatic mutations from a MAF (Mutation Annotation Format) file.

The reader accepts the GDC MAF (https://docs.gdc.cancer.gov/Data/File_Formats/MAF_Format/, 140 columns,
``#version gdc-1.0.0`` line) as well as the slim TCGA/maftools MAFs found in the wild:

* plain or gzip-compressed (detected from the magic bytes, not the name);
* any number of leading ``#`` lines (``#version 2.4``, comments) before the header;
* column names matched case-insensitively (TCGA LAML writes ``End_position``);
* the protein change from ``HGVSp_Short`` (GDC), else ``Protein_Change`` (TCGA/Broad), else ``AAChange``
  (early TCGA, maftools ``coad.maf.gz``); it is always returned as column ``HGVSp_Short``;
* ``.`` and empty values are missing values (maftools ``coad.maf.gz`` writes ``AAChange`` = ``.``);
* tumour barcodes written with ``.`` instead of ``-`` (``TCGA.AG.A002.01``): a requested sample matches
  exactly first, then with ``.`` and ``-`` treated as equal.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pandas as pd

from ..errors import InputDataError, ParameterError

#: columns every MAF must have (GDC MAF specification, columns 1, 5, 6, 11, 13, 9, 16)
REQUIRED_COLUMNS: tuple[str, ...] = (
    "Hugo_Symbol",
    "Chromosome",
    "Start_Position",
    "Reference_Allele",
    "Tumor_Seq_Allele2",
    "Variant_Classification",
    "Tumor_Sample_Barcode",
)

#: accepted protein-change columns, in order of preference
PROTEIN_CHANGE_COLUMNS: tuple[str, ...] = ("HGVSp_Short", "Protein_Change", "AAChange")

#: columns converted to integers when present
_INT_COLUMNS = ("Start_Position", "End_Position", "t_depth", "t_ref_count", "t_alt_count")

_MISSING = ("", ".", "NA", "NaN", "nan", "__UNKNOWN__")


def _open_text(path: Path):
    with path.open("rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open("rt", encoding="utf-8", newline="")


def _normalise_barcode(barcode: str) -> str:
    return str(barcode).replace(".", "-").upper()


def read_maf(path: str | os.PathLike, *, tumor_sample: str | None = None) -> pd.DataFrame:
    """Read a MAF file (plain or gzip) into a table, one row per somatic variant call.

    Parameters
    ----------
    path
        MAF file. Leading ``#`` lines are skipped; the first other line is the header.
    tumor_sample
        Keep only this ``Tumor_Sample_Barcode``. ``.`` and ``-`` in barcodes are treated as equal when
        there is no exact match (TCGA barcodes are sometimes written ``TCGA.AG.A002.01``).

    Returns
    -------
    pandas.DataFrame
        All columns of the file with canonical spelling for the required ones, plus ``HGVSp_Short``
        (copied from ``Protein_Change`` or ``AAChange`` if the file has no ``HGVSp_Short``; missing
        values are ``<NA>``). ``Start_Position``/``End_Position`` are integers. ``df.attrs`` holds
        ``path`` and ``protein_change_column`` (the column the protein change was read from).

    Raises
    ------
    ParameterError
        The file does not exist.
    InputDataError
        Empty file, a required column missing (message names the file and the column), no protein-change
        column, a non-integer position, or an unknown ``tumor_sample`` (message lists a few barcodes).
    """
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"maf: file not found: {p}")

    with _open_text(p) as fh:
        n_comment = 0
        header_line = None
        try:
            for line in fh:
                if line.startswith("#"):
                    n_comment += 1
                    continue
                header_line = line
                break
        except (OSError, UnicodeDecodeError, EOFError) as exc:
            raise InputDataError(f"{p}: cannot be read as a text MAF ({exc})") from None
    if header_line is None or not header_line.strip():
        raise InputDataError(f"{p}: empty MAF (no header line)")

    try:
        df = pd.read_csv(
            p,
            sep="\t",
            skiprows=n_comment,
            dtype=str,
            keep_default_na=False,
            na_values=list(_MISSING),
            compression="gzip" if _is_gzip(p) else None,  # by content, not by name
            quoting=3,  # csv.QUOTE_NONE: MAF fields are never quoted
            low_memory=False,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, EOFError) as exc:
        raise InputDataError(f"{p}: malformed MAF ({str(exc).splitlines()[0]})") from None

    # canonical spelling for known columns, matched case-insensitively
    known = {c.lower(): c for c in (*REQUIRED_COLUMNS, *PROTEIN_CHANGE_COLUMNS, "End_Position",
                                    "Variant_Type", "Tumor_Seq_Allele1", "Exon_Number", "NCBI_Build",
                                    "t_depth", "t_ref_count", "t_alt_count", "HGVSc", "Matched_Norm_Sample_Barcode")}
    df = df.rename(columns={c: known[c.strip().lower()] for c in df.columns if c.strip().lower() in known})

    for col in REQUIRED_COLUMNS:
        if col not in df.columns:
            raise InputDataError(f"{p}: MAF is missing required column '{col}'")
    protein_col = next((c for c in PROTEIN_CHANGE_COLUMNS if c in df.columns), None)
    if protein_col is None:
        raise InputDataError(
            f"{p}: MAF has no protein-change column (one of {', '.join(PROTEIN_CHANGE_COLUMNS)} is required)"
        )
    if protein_col != "HGVSp_Short":
        df["HGVSp_Short"] = df[protein_col]
    df["HGVSp_Short"] = df["HGVSp_Short"].astype("string")

    for col in _INT_COLUMNS:
        if col in df.columns:
            values = pd.to_numeric(df[col], errors="coerce")
            bad = values.isna() & df[col].notna()
            if bad.any():
                i = int(bad.to_numpy().nonzero()[0][0])
                raise InputDataError(
                    f"{p}: column '{col}' has a non-integer value {df[col].iloc[i]!r} on data row {i + 1}"
                )
            df[col] = values.astype("Int64")
    if df["Start_Position"].isna().any():
        i = int(df["Start_Position"].isna().to_numpy().nonzero()[0][0])
        raise InputDataError(f"{p}: column 'Start_Position' is empty on data row {i + 1}")
    df["Chromosome"] = df["Chromosome"].astype(str)
    df["Tumor_Sample_Barcode"] = df["Tumor_Sample_Barcode"].astype(str)

    if tumor_sample is not None:
        df = _select_sample(df, tumor_sample, p)
    df = df.reset_index(drop=True)
    df.attrs["path"] = str(p)
    df.attrs["protein_change_column"] = protein_col
    return df


def _is_gzip(p: Path) -> bool:
    with p.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _select_sample(df: pd.DataFrame, tumor_sample: str, p: Path) -> pd.DataFrame:
    barcodes = df["Tumor_Sample_Barcode"]
    mask = barcodes == tumor_sample
    if not mask.any():
        mask = barcodes.map(_normalise_barcode) == _normalise_barcode(tumor_sample)
    if not mask.any():
        available = list(dict.fromkeys(barcodes))
        shown = ", ".join(available[:5]) + (", ..." if len(available) > 5 else "")
        raise InputDataError(
            f"{p}: tumour sample '{tumor_sample}' not found in Tumor_Sample_Barcode "
            f"({len(available)} available: {shown})"
        )
    return df[mask]


def select_tumor_sample(maf: pd.DataFrame, tumor_sample: str) -> pd.DataFrame:
    """Rows of one tumour of a MAF table read by :func:`read_maf` (``.`` and ``-`` equal if no exact match).

    Raises
    ------
    InputDataError
        The barcode is not in ``Tumor_Sample_Barcode``; the message names the file and lists a few barcodes.
    """
    return _select_sample(maf, tumor_sample, Path(maf.attrs.get("path", "MAF table")))


def tumor_samples(maf: pd.DataFrame) -> list[str]:
    """Tumour barcodes of a MAF table, in order of first appearance."""
    return list(dict.fromkeys(maf["Tumor_Sample_Barcode"]))


__all__ = ["read_maf", "select_tumor_sample", "tumor_samples", "REQUIRED_COLUMNS", "PROTEIN_CHANGE_COLUMNS"]
