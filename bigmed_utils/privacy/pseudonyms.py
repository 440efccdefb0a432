"""Stable pseudonyms and per-patient date shifts from a secret key (keyed HMAC-SHA256).

A pseudonym is ``PREFIX-`` plus 12 base32 characters (60 bits) of HMAC-SHA256(key, identifier): the same key
and identifier always give the same pseudonym (so runs can be linked inside the lab), a different key gives
unrelated pseudonyms, and without the key an identifier cannot be recovered or tested (unlike a plain hash,
which anyone can compute for a guessed id). Dates are shifted per patient by a whole number of days also
derived from the key, so intervals between one patient's dates are preserved.

The key lives outside the repository: a file named by the ``pseudonym_key_file`` parameter or by
``$BIGMED_PSEUDONYM_KEY_FILE`` (mode 600, not inside a git work tree), or the hex/base64 value in
``$BIGMED_PSEUDONYM_KEY``. Create one with::

    mkdir -p ~/.bigmed && python -c "import secrets;print(secrets.token_hex(32))" > ~/.bigmed/pseudonym.key
    chmod 600 ~/.bigmed/pseudonym.key
    export BIGMED_PSEUDONYM_KEY_FILE=~/.bigmed/pseudonym.key
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import logging
import os
import re
import stat
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from ..errors import InputDataError, ParameterError

log = logging.getLogger(__name__)

__all__ = [
    "ENV_KEY",
    "ENV_KEY_FILE",
    "Pseudonymiser",
    "collect_identifiers",
    "date_shift_days",
    "find_identifiers",
    "load_key",
    "pseudonymise_folder",
    "pseudonym",
    "shift_dates",
]

ENV_KEY_FILE = "BIGMED_PSEUDONYM_KEY_FILE"
ENV_KEY = "BIGMED_PSEUDONYM_KEY"

#: 128 bits: the least key length accepted (NIST SP 800-107 r1 sec. 5.3.4: HMAC keys >= security strength)
MIN_KEY_BYTES = 16
#: base32 characters of the digest kept in a pseudonym: 12 x 5 = 60 bits, collisions negligible for cohorts
PSEUDONYM_CHARS = 12

_HOW_TO_CREATE = (
    "create one outside the repository: mkdir -p ~/.bigmed && "
    "python -c \"import secrets;print(secrets.token_hex(32))\" > ~/.bigmed/pseudonym.key && "
    "chmod 600 ~/.bigmed/pseudonym.key, then set BIGMED_PSEUDONYM_KEY_FILE=~/.bigmed/pseudonym.key"
)

# Domain separation: pseudonyms and date shifts from the same key are unrelated values.
_PSEUDONYM_CONTEXT = b"bigmed-pseudonym\x00"
_DATE_SHIFT_CONTEXT = b"bigmed-date-shift\x00"


# ---------------------------------------------------------------------------------------------------------
# Keys


def _decode_key(text: str, *, source: str) -> bytes:
    """Key bytes from hex (preferred) or base64 text; :class:`ParameterError` naming ``source`` otherwise."""
    value = text.strip()
    if not value:
        raise ParameterError(f"pseudonym key {source} is empty; {_HOW_TO_CREATE}")
    key: bytes | None = None
    if re.fullmatch(r"[0-9a-fA-F]+", value) and len(value) % 2 == 0:
        key = bytes.fromhex(value)
    else:
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                key = decode(value + "=" * (-len(value) % 4))
                break
            except (binascii.Error, ValueError):
                continue
    if key is None:
        raise ParameterError(f"pseudonym key {source} is neither hex nor base64; {_HOW_TO_CREATE}")
    if len(key) < MIN_KEY_BYTES:
        raise ParameterError(
            f"pseudonym key {source} has {len(key)} bytes, at least {MIN_KEY_BYTES} are needed; {_HOW_TO_CREATE}"
        )
    return key


def _git_work_tree(path: Path) -> Path | None:
    """The git work tree holding ``path`` (a parent with a ``.git`` folder or file), if any."""
    for folder in path.parents:
        if (folder / ".git").exists():
            return folder
    return None


def load_key(key_file: str | os.PathLike | None = None) -> bytes:
    """The pseudonymisation key, from ``key_file``, ``$BIGMED_PSEUDONYM_KEY_FILE`` or ``$BIGMED_PSEUDONYM_KEY``.

    Parameters
    ----------
    key_file
        A file holding the key as hex (e.g. ``secrets.token_hex(32)``) or base64 text; default the file
        named by ``$BIGMED_PSEUDONYM_KEY_FILE``, else the value of ``$BIGMED_PSEUDONYM_KEY``.

    Returns
    -------
    bytes
        The key (at least 16 bytes).

    Raises
    ------
    ParameterError
        No key configured (the message says how to create one), the file is missing, lies inside a git
        work tree, can be read by group or others, or does not hold a hex/base64 key of 16+ bytes.
    """
    name = key_file or os.environ.get(ENV_KEY_FILE)
    if not name:
        value = os.environ.get(ENV_KEY)
        if value:
            return _decode_key(value, source=f"in ${ENV_KEY}")
        raise ParameterError(
            f"pseudonymise is on but no pseudonym key is configured (${ENV_KEY_FILE} or ${ENV_KEY}); "
            + _HOW_TO_CREATE
        )
    path = Path(name).expanduser()
    if not path.is_file():
        raise ParameterError(f"pseudonym key file not found: {path}; {_HOW_TO_CREATE}")
    resolved = path.resolve()
    tree = _git_work_tree(resolved)
    if tree is not None:
        raise ParameterError(
            f"pseudonym key file {path} lies inside the git work tree {tree}: keys must live outside the "
            "repository (e.g. ~/.bigmed/pseudonym.key)"
        )
    if os.name == "posix":
        mode = stat.S_IMODE(resolved.stat().st_mode)
        if mode & 0o077:
            raise ParameterError(
                f"pseudonym key file {path} can be read by group or others (mode {mode:04o}): chmod 600 {path}"
            )
    return _decode_key(resolved.read_text(encoding="ascii", errors="replace"), source=f"file {path}")


# ---------------------------------------------------------------------------------------------------------
# Pseudonyms and date shifts


def _digest(key: bytes, context: bytes, identifier: str) -> bytes:
    if not isinstance(key, (bytes, bytearray)) or len(key) < MIN_KEY_BYTES:
        raise ParameterError(f"pseudonym key must be at least {MIN_KEY_BYTES} bytes (see load_key)")
    return hmac.new(bytes(key), context + str(identifier).encode("utf-8"), hashlib.sha256).digest()


def pseudonym(identifier: str, *, key: bytes, prefix: str = "PSN") -> str:
    """The stable pseudonym of ``identifier``: ``PREFIX-`` and 12 base32 characters of HMAC-SHA256.

    Parameters
    ----------
    identifier
        A patient, sample or family-member id (compared exactly, case-sensitive).
    key
        The secret key (:func:`load_key`).
    prefix
        Text before the dash (letters/digits), e.g. ``PSN`` or ``FAM``.

    Examples
    --------
    >>> pseudonym("RD001", key=b"0" * 32)  # doctest: +SKIP
    'PSN-...'
    """
    code = base64.b32encode(_digest(key, _PSEUDONYM_CONTEXT, identifier)).decode("ascii")[:PSEUDONYM_CHARS]
    return f"{prefix}-{code}"


def date_shift_days(patient_id: str, *, key: bytes, max_days: int = 365) -> int:
    """Whole days to add to every date of ``patient_id``: in ``[-max_days, -1]`` or ``[1, max_days]``.

    Deterministic for a key and patient, never zero (a zero shift would leave the real dates), uniform
    over the ``2 * max_days`` allowed values up to a bias below 2**-50.
    """
    if max_days < 1:
        raise ParameterError(f"max_days must be at least 1, got {max_days}")
    value = int.from_bytes(_digest(key, _DATE_SHIFT_CONTEXT, patient_id)[:8], "big") % (2 * max_days)
    return value - max_days if value < max_days else value - max_days + 1


def shift_dates(
    df: pd.DataFrame,
    *,
    id_column: str,
    date_columns: Sequence[str],
    key: bytes,
    max_days: int = 365,
) -> pd.DataFrame:
    """A copy of ``df`` with each patient's dates moved by :func:`date_shift_days` of that patient.

    All dates of one patient move by the same number of days, so intervals (age at diagnosis, follow-up
    time) are unchanged. Datetime columns stay datetime; text columns are parsed and written back as
    ISO dates (``YYYY-MM-DD``) or date-times; empty values stay empty.

    Raises
    ------
    InputDataError
        A column is missing, or a value cannot be read as a date (names the column, row and value).
    """
    missing = [c for c in (id_column, *date_columns) if c not in df.columns]
    if missing:
        raise InputDataError(f"shift_dates: no column {missing[0]!r} (columns: {', '.join(map(str, df.columns))})")
    out = df.copy()
    no_id = out[id_column].isna() & out[list(date_columns)].notna().any(axis=1)
    if no_id.any():  # such a date could not be shifted and would leave the lab unchanged
        raise InputDataError(f"shift_dates: row {no_id.idxmax()} has dates but no {id_column!r}")
    shifts = {pid: date_shift_days(str(pid), key=key, max_days=max_days) for pid in out[id_column].dropna().unique()}
    delta = pd.to_timedelta(out[id_column].map(shifts).astype("float64"), unit="D")
    for col in date_columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series + delta
            continue
        parsed = pd.to_datetime(series, errors="coerce")
        bad = series.notna() & (series.astype(str).str.strip() != "") & parsed.isna()
        if bad.any():
            row = bad.idxmax()
            raise InputDataError(f"shift_dates: column {col!r}, row {row}: {series[row]!r} is not a date")
        shifted = parsed + delta
        has_time = (parsed.dropna().dt.normalize() != parsed.dropna()).any()
        fmt = "%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d"
        out[col] = shifted.dt.strftime(fmt).where(shifted.notna(), series)
    return out


# ---------------------------------------------------------------------------------------------------------
# Replacing known identifiers everywhere


class Pseudonymiser:
    """Replace a known set of identifiers by their pseudonyms in tables, JSON-like data and text.

    Parameters
    ----------
    identifiers
        Patient, sample and family-member ids to replace (exact, case-sensitive).
    key
        The secret key (:func:`load_key`).
    prefix
        Pseudonym prefix.
    min_text_length
        Identifiers shorter than this (e.g. PED member ids ``1``, ``2``) are replaced in whole cells,
        values and keys only, not inside free text, where they would hit unrelated numbers and words;
        they are listed in :attr:`text_skipped`.

    Notes
    -----
    In text an identifier is replaced where it is not part of a longer run of letters and digits:
    ``RD001`` is replaced in ``RD001.vcf.gz`` and ``RD001_trio`` but not in ``RD0010``. Longer identifiers are
    tried first, so ``RD001-P`` maps to its own pseudonym, not to that of ``RD001`` followed by ``-P``.
    The HTML-escaped form of an identifier (``&amp;`` for ``&``) is replaced as well.

    Examples
    --------
    >>> p = Pseudonymiser(["RD001", "RD001-P"], key=b"k" * 32)
    >>> p.text("RD001-P is the proband of RD001") == f"{p['RD001-P']} is the proband of {p['RD001']}"
    True
    """

    def __init__(
        self, identifiers: Iterable[str] = (), *, key: bytes, prefix: str = "PSN", min_text_length: int = 3
    ) -> None:
        self._key = bytes(key)
        self.prefix = prefix
        self.min_text_length = min_text_length
        self.mapping: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None
        self._lookup: dict[str, str] = {}
        self.add(*identifiers)

    # -- the mapping ---------------------------------------------------------------------------------------

    def add(self, *identifiers: str) -> None:
        """Add identifiers (empty values and ``None`` are ignored)."""
        for ident in identifiers:
            if ident is None or str(ident).strip() == "":
                continue
            ident = str(ident)
            if ident not in self.mapping:
                self.mapping[ident] = pseudonym(ident, key=self._key, prefix=self.prefix)
        self._pattern = None

    def __getitem__(self, identifier: str) -> str:
        return self.mapping[str(identifier)]

    def __contains__(self, identifier: object) -> bool:
        return str(identifier) in self.mapping

    def __len__(self) -> int:
        return len(self.mapping)

    @property
    def text_skipped(self) -> list[str]:
        """Identifiers too short to be replaced inside free text (see ``min_text_length``)."""
        return sorted(i for i in self.mapping if len(i) < self.min_text_length)

    def _compile(self) -> re.Pattern[str] | None:
        if self._pattern is None:
            lookup: dict[str, str] = {}
            for ident, psn in self.mapping.items():
                if len(ident) < self.min_text_length:
                    continue
                lookup[ident] = psn
                lookup.setdefault(html.escape(ident, quote=True), psn)
            self._lookup = lookup
            if not lookup:
                return None
            alternatives = "|".join(re.escape(i) for i in sorted(lookup, key=len, reverse=True))
            # not glued to a letter or digit on either side (any script: \w minus '_')
            self._pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")
        return self._pattern

    # -- replacing -----------------------------------------------------------------------------------------

    def value(self, value: Any) -> Any:
        """A single value: an identifier becomes its pseudonym, other strings go through :meth:`text`."""
        if isinstance(value, str):
            return self.mapping[value] if value in self.mapping else self.text(value)
        return value

    def text(self, text: str) -> str:
        """Free text or HTML with every identifier (whole, longest first) replaced by its pseudonym."""
        pattern = self._compile()
        if pattern is None or not text:
            return text
        return pattern.sub(lambda m: self._lookup[m.group(0)], text)

    def json(self, data: Any) -> Any:
        """JSON-like data (dicts, lists, scalars) with identifiers replaced in keys and string values."""
        if isinstance(data, Mapping):
            return {self.value(k) if isinstance(k, str) else k: self.json(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.json(v) for v in data]
        return self.value(data)

    def frame(self, df: pd.DataFrame, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A copy of ``df`` with identifiers replaced.

        Parameters
        ----------
        columns
            Columns to rewrite; default every text (object/string) column, plus the column labels and
            the index labels (a genotype table has sample ids as columns).
        """
        out = df.copy()
        targets = list(columns) if columns is not None else [
            c for c in out.columns if pd.api.types.is_object_dtype(out[c]) or pd.api.types.is_string_dtype(out[c])
        ]
        for col in targets:
            out[col] = out[col].map(self.value)
        if columns is None:
            out.columns = [self.value(c) for c in out.columns]
            if pd.api.types.is_object_dtype(out.index) or pd.api.types.is_string_dtype(out.index):
                out.index = out.index.map(self.value)
        return out

    def find(self, text: str) -> list[str]:
        """Identifiers still present in ``text`` as plain substrings (for tests and final checks)."""
        return sorted(i for i in self.mapping if i in text)


# ---------------------------------------------------------------------------------------------------------
# Whole output folders

#: files rewritten by :func:`pseudonymise_folder` (text formats); others are left alone and reported
TEXT_SUFFIXES = (".json", ".ipynb", ".html", ".htm", ".txt", ".log", ".csv", ".tsv", ".md", ".svg", ".yaml", ".yml")


def _notebook_json(p: Pseudonymiser, node: Any, *, mime: str | None = None) -> Any:
    """Like :meth:`Pseudonymiser.json` but leaves base64 image payloads untouched."""
    if isinstance(node, Mapping):
        return {
            (p.value(k) if isinstance(k, str) and not k.startswith("image/") else k): (
                v if isinstance(k, str) and k.startswith("image/") and k != "image/svg+xml" else _notebook_json(p, v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_notebook_json(p, v) for v in node]
    return p.value(node) if isinstance(node, str) else node


def pseudonymise_folder(folder: str | os.PathLike, pseudonymiser: Pseudonymiser) -> dict[str, list[str]]:
    """Replace identifiers in every text file of ``folder`` (recursively) and in file and folder names.

    JSON and notebooks are rewritten structurally (keys and values; notebook images untouched), other
    text formats (:data:`TEXT_SUFFIXES`) as text. Images cannot be rewritten: a figure must be drawn from
    pseudonymised data in the first place; :func:`find_identifiers` finds what is left.

    Returns
    -------
    dict
        ``{"rewritten": [...], "renamed": [...], "skipped": [...]}`` as paths relative to ``folder``.
    """
    import json

    root = Path(folder)
    report: dict[str, list[str]] = {"rewritten": [], "renamed": [], "skipped": []}
    for path in sorted(root.rglob("*"), key=lambda q: len(q.parts), reverse=True):  # deepest first
        rel = str(path.relative_to(root))
        if path.is_file():
            if path.suffix.lower() in (".json", ".ipynb"):
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except ValueError:
                    data = None
                if data is not None:
                    new = _notebook_json(pseudonymiser, data) if path.suffix.lower() == ".ipynb" else pseudonymiser.json(data)
                    if new != data:
                        path.write_text(json.dumps(new, indent=1 if path.suffix == ".ipynb" else 2, ensure_ascii=False) + "\n", encoding="utf-8")
                        report["rewritten"].append(rel)
                    continue
            if path.suffix.lower() in TEXT_SUFFIXES:
                text = path.read_text(encoding="utf-8", errors="surrogateescape")
                new_text = pseudonymiser.text(text)
                if new_text != text:
                    path.write_text(new_text, encoding="utf-8", errors="surrogateescape")
                    report["rewritten"].append(rel)
            else:
                report["skipped"].append(rel)
        new_name = pseudonymiser.text(path.name) if path.name not in pseudonymiser else pseudonymiser[path.name]
        if new_name != path.name:
            path.rename(path.with_name(new_name))
            report["renamed"].append(rel)
    return report


def find_identifiers(folder: str | os.PathLike, identifiers: Iterable[str]) -> dict[str, list[str]]:
    """Which identifiers occur (as plain bytes, anywhere) in which files or file names under ``folder``.

    The check behind "a test searches all outputs for the original ids and finds none": a plain substring
    search in UTF-8 and in HTML-escaped form, in every file including binary ones.
    """
    ids = [str(i) for i in identifiers if str(i)]
    needles = {i: {i.encode("utf-8"), html.escape(i, quote=True).encode("utf-8")} for i in ids}
    found: dict[str, list[str]] = {}
    root = Path(folder)
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        data = path.read_bytes() if path.is_file() else b""
        hits = [i for i in ids if i in rel or any(n in data for n in needles[i])]
        if hits:
            found[rel] = hits
    return found


#: parameters whose values are identifiers themselves
ID_PARAMETERS = ("case_id", "family_id", "patient_id", "proband", "tumor_sample")
#: columns of tabular inputs (CSV/TSV/MAF) that hold person or sample identifiers
ID_COLUMNS = (
    "patient_id", "person_id", "sample_id", "sample", "individual_id", "family_id",
    "Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode",
)


def _vcf_samples(path: Path) -> list[str]:
    import gzip

    with open(path, "rb") as raw:
        magic = raw.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith("#CHROM"):
                return line.rstrip("\n").split("\t")[9:]
            if not line.startswith("#"):
                break
    return []


def _ped_ids(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        out += [f for f in fields[:4] if f not in ("0", "-9", "")]
    return out


def _table_ids(path: Path) -> list[str]:
    sep = "\t" if path.suffix.lower() in (".tsv", ".maf", ".txt") else ","
    try:
        header = pd.read_csv(path, sep=sep, nrows=0, comment="#").columns
        cols = [c for c in header if c in ID_COLUMNS]
        if not cols:
            return []
        df = pd.read_csv(path, sep=sep, usecols=cols, dtype=str, comment="#")
    except (ValueError, OSError, pd.errors.ParserError):
        return []
    return [v for c in cols for v in df[c].dropna().unique()]


def collect_identifiers(params: Mapping[str, Any]) -> set[str]:
    """Person and sample identifiers a run's outputs may carry, from its parameters and input files.

    The id parameters (:data:`ID_PARAMETERS`), the sample names of VCF inputs (header line), every id of
    a PED file (family, individual, father, mother), and the id columns (:data:`ID_COLUMNS`) of CSV, TSV
    and MAF inputs (folders of OMOP tables included). Give the result to :class:`Pseudonymiser`.
    """
    ids: set[str] = set()
    for key in ID_PARAMETERS:
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            ids.add(value)
    for value in params.values():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if not isinstance(v, (str, os.PathLike)) or not str(v) or len(str(v)) > 4096:
                continue
            path = Path(v)
            try:
                files = [path] if path.is_file() else sorted(path.glob("*")) if path.is_dir() else []
            except OSError:
                continue
            for f in files:
                name = f.name.lower()
                if name.endswith((".vcf", ".vcf.gz", ".vcf.bgz")):
                    ids.update(_vcf_samples(f))
                elif name.endswith((".ped", ".fam")):
                    ids.update(_ped_ids(f))
                elif name.endswith((".csv", ".tsv", ".maf", ".maf.txt")):
                    ids.update(_table_ids(f))
    return {i for i in ids if i.strip()}
