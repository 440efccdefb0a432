"""Therapy actionability of colorectal-cancer alterations from a bundled, versioned knowledge base.

The knowledge base (``bigmed_utils/data/oncology/actionability_kb.tsv``) holds one rule per row with an
OncoKB-style level (1, 2, 3A, 3B, 4, R1, R2), a kind (``sensitive``, ``resistance`` or ``unknown``), the therapy,
the date of the approval or guideline and the source. Its header states version, date and sources. Rule types:

``protein``
    one exact protein change, or a comma-separated list; ``p.V600E``, ``p.Val600Glu`` and ``V600E`` are the
    same change. BRAF V600K does not match the V600E rule: in colorectal cancer the approvals name V600E only.
``codon``
    any protein-altering (missense or in-frame) change at the listed codons (``G12*``).
``codon_range``
    a missense change within residues first-last.
``exon``
    a protein-altering change in the listed exons: for KRAS/NRAS the exon of the codon (codon ranges of the
    MANE Select transcripts in ``ras_exon_codons.tsv``; exon numbers in annotations depend on the
    transcript used), else ``Exon_Number`` (VEP/GDC ``2/6``).
``class``
    ``amplification``, ``fusion`` or ``oncogenic_mutation`` (any non-synonymous coding change).
``biomarker``
    ``MSI-H`` (MSI-high or dMMR), ``dMMR`` (MMR deficiency by immunohistochemistry), ``TMB-H`` or
    ``HER2-IHC3+``; given to :func:`match_actionability` as arguments.
``other``
    any non-synonymous change of the gene that no other rule of the gene matched. Such rows have kind
    ``unknown`` and no level: a variant of unknown therapeutic meaning is shown as such, never as resistance
    (e.g. KRAS p.E31K is not one of the guideline RAS hotspots and does not exclude cetuximab).

Conditions: ``ras_wild_type`` limits a rule to tumours without a KRAS/NRAS mutation at the guideline hotspot
codons (:data:`RAS_HOTSPOT_CODONS`); ``ras_braf_wild_type`` also requires no BRAF V600E (NCCN: HER2-directed
therapy for HER2-amplified, RAS and BRAF wild-type tumours).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .._resources import data_path
from ..errors import InputDataError, ReferenceDataError
from .hgvsp import parse_hgvsp
from .tmb import NONSYNONYMOUS_CLASSES

#: OncoKB therapeutic levels, most to least actionable (https://www.oncokb.org/levels)
LEVELS: tuple[str, ...] = ("1", "2", "3A", "3B", "4", "R1", "R2")
RESISTANCE_LEVELS = frozenset({"R1", "R2"})
KINDS = frozenset({"sensitive", "resistance", "unknown"})
RULE_TYPES = frozenset({"protein", "codon", "codon_range", "exon", "class", "biomarker", "other"})
CLASS_RULES = frozenset({"amplification", "fusion", "oncogenic_mutation"})
BIOMARKERS = frozenset({"MSI-H", "dMMR", "TMB-H", "HER2-IHC3+"})
CONDITIONS = frozenset({"", "ras_wild_type", "ras_braf_wild_type"})
#: KRAS/NRAS codons whose mutation makes a tumour "RAS mutant" for anti-EGFR therapy: exon 2 codons 12, 13;
#: exon 3 codons 59, 61; exon 4 codons 117, 146 (Allegra et al., J Clin Oncol 2016;34:179-85, ASCO PCO;
#: Sepulveda et al., J Clin Oncol 2017;35:1453-86; ESMO mCRC guideline, Cervantes et al., Ann Oncol 2023;34:10-32)
RAS_HOTSPOT_CODONS: frozenset[int] = frozenset({12, 13, 59, 61, 117, 146})
RAS_GENES: tuple[str, ...] = ("KRAS", "NRAS")
_DATE_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")

#: classes that change the protein sequence without truncating it (activating-mutation candidates)
PROTEIN_ALTERING_CLASSES = frozenset({"Missense_Mutation", "In_Frame_Del", "In_Frame_Ins"})

OUTPUT_COLUMNS = ["alteration", "gene", "therapy", "level", "date", "source", "kind", "rule_id"]

_GENE_COLUMNS = ("gene", "Hugo_Symbol", "SYMBOL")
_PROTEIN_COLUMNS = ("hgvsp", "HGVSp_Short", "HGVSp", "protein_change", "Protein_Change", "AAChange")
_CLASS_COLUMNS = ("Variant_Classification", "variant_classification")
_TYPE_COLUMNS = ("alteration_type", "type")
_EXON_COLUMNS = ("Exon_Number", "exon", "EXON")
_SAMPLE_COLUMNS = ("Tumor_Sample_Barcode", "sample", "patient_id")


def _parse_header(lines: list[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in lines:
        m = re.match(r"#\s*(version|date|sources|scope):\s*(.*)", line)
        if m:
            meta[m.group(1)] = m.group(2).strip()
    return meta


def load_knowledge_base(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load and validate an actionability knowledge base (default: the bundled one).

    Returns a table with columns ``id, gene, rule_type, rule, condition, level, kind, therapy, date, source``;
    ``attrs`` holds ``version``, ``date``, ``sources`` and ``path``.

    Raises
    ------
    ReferenceDataError
        Missing file, missing column, an unknown level, kind, rule type, class, biomarker or condition, a
        resistance level with kind ``sensitive`` (or the reverse), a level on an ``unknown`` row (or none on
        another), a malformed codon list/range or date. The message names the file and the rule id.
    """
    p = Path(path) if path is not None else data_path("oncology", "actionability_kb.tsv")
    if not p.is_file():
        raise ReferenceDataError(f"actionability knowledge base not found: {p}")
    with p.open(encoding="utf-8") as fh:
        header = [line.rstrip("\n") for line in fh if line.startswith("#")]
    kb = pd.read_csv(p, sep="\t", comment=None, skiprows=len(header), dtype=str, keep_default_na=False)
    required = ["id", "gene", "rule_type", "rule", "condition", "level", "kind", "therapy", "date", "source"]
    missing = [c for c in required if c not in kb.columns]
    if missing:
        raise ReferenceDataError(f"{p}: knowledge base lacks column(s) {', '.join(missing)}")
    if kb["id"].duplicated().any():
        raise ReferenceDataError(f"{p}: duplicate rule id {kb.loc[kb['id'].duplicated(), 'id'].iloc[0]}")
    for row in kb.itertuples(index=False):
        _check_row(row, f"{p}: rule {row.id}")
    meta = _parse_header(header)
    for key in ("version", "date"):
        if key not in meta:
            raise ReferenceDataError(f"{p}: header lacks a '# {key}:' line")
    kb.attrs.update(meta)
    kb.attrs["path"] = str(p)
    return kb


def _check_row(row: Any, where: str) -> None:
    if row.kind not in KINDS:
        raise ReferenceDataError(f"{where}: unknown kind {row.kind!r} (expected one of {', '.join(sorted(KINDS))})")
    if row.kind == "unknown":
        if row.level != "" or row.rule_type != "other":
            raise ReferenceDataError(f"{where}: kind 'unknown' needs rule_type 'other' and no level")
    else:
        if row.level not in LEVELS:
            raise ReferenceDataError(f"{where}: unknown level {row.level!r} (expected one of {', '.join(LEVELS)})")
        if (row.level in RESISTANCE_LEVELS) != (row.kind == "resistance"):
            raise ReferenceDataError(f"{where}: level {row.level} does not fit kind {row.kind!r}")
        if row.rule_type == "other":
            raise ReferenceDataError(f"{where}: rule_type 'other' is for kind 'unknown' only")
    if row.rule_type not in RULE_TYPES:
        raise ReferenceDataError(f"{where}: unknown rule_type {row.rule_type!r}")
    if row.condition not in CONDITIONS:
        raise ReferenceDataError(f"{where}: unknown condition {row.condition!r}")
    if not _DATE_RE.fullmatch(row.date):
        raise ReferenceDataError(f"{where}: date {row.date!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        _compile_rule(row.rule_type, row.rule)
    except ValueError as exc:
        raise ReferenceDataError(f"{where}: {exc}") from None


def _compile_rule(rule_type: str, rule: str) -> Any:
    if rule_type == "protein":
        shorts = set()
        for text in rule.split(","):
            change = parse_hgvsp(text.strip())
            if change is None or change.position is None:
                raise ValueError(f"protein rule {text.strip()!r} is not a protein change")
            shorts.add(change.short)
        return frozenset(shorts)
    if rule_type in ("codon", "exon"):
        try:
            return frozenset(int(x) for x in rule.split(","))
        except ValueError:
            raise ValueError(f"{rule_type} rule {rule!r} must be a comma-separated list of integers") from None
    if rule_type == "codon_range":
        m = re.fullmatch(r"(\d+)-(\d+)", rule)
        if not m or int(m.group(1)) > int(m.group(2)):
            raise ValueError(f"codon_range rule {rule!r} must be first-last")
        return (int(m.group(1)), int(m.group(2)))
    if rule_type == "class":
        if rule not in CLASS_RULES:
            raise ValueError(f"class rule {rule!r} must be one of {', '.join(sorted(CLASS_RULES))}")
        return rule
    if rule_type == "other":
        if rule != "*":
            raise ValueError(f"other rule {rule!r} must be '*'")
        return rule
    if rule not in BIOMARKERS:
        raise ValueError(f"biomarker rule {rule!r} must be one of {', '.join(sorted(BIOMARKERS))}")
    return rule


@lru_cache(maxsize=1)
def _exon_table() -> pd.DataFrame:
    return pd.read_csv(data_path("oncology", "ras_exon_codons.tsv"), sep="\t", comment="#")


def exon_of_codon(gene: str, codon: int) -> int | None:
    """Exon number of a codon of KRAS or NRAS (``ras_exon_codons.tsv``); None for other genes."""
    t = _exon_table()
    hit = t[(t["gene"] == gene) & (t["first_codon"] <= codon) & (t["last_codon"] >= codon)]
    return int(hit["exon"].iloc[0]) if len(hit) else None


def _first(df: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((c for c in names if c in df.columns), None)


def _parse_exon(value: object) -> int | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    m = re.match(r"\s*(\d+)", str(value))  # VEP/GDC write "2/6"
    return int(m.group(1)) if m else None


def _infer_class(change) -> str | None:
    """Variant class from the protein change when the table has no Variant_Classification."""
    if change is None:
        return None
    s = change.short
    if "fs" in s:
        return "Frame_Shift"
    if change.alt == "*":
        return "Nonsense_Mutation"
    if change.alt == "=":
        return "Silent"
    if change.alt is not None:
        return "Missense_Mutation"
    if "del" in s or "dup" in s:
        return "In_Frame_Del"
    if "ins" in s:
        return "In_Frame_Ins"
    return None


def _alteration_type(row: dict, type_col: str | None, protein: str | None) -> str:
    if type_col and isinstance(row.get(type_col), str) and row[type_col].strip():
        t = row[type_col].strip().lower()
        if t.startswith("amp"):
            return "amplification"
        if "fusion" in t or "rearrangement" in t:
            return "fusion"
        return t
    text = (protein or "").lower()
    if text.startswith("amp"):
        return "amplification"
    if "fusion" in text:
        return "fusion"
    return "mutation"


def _standardise(alterations: pd.DataFrame) -> pd.DataFrame:
    """One row per alteration with gene, type, protein change, class, exon and sample."""
    gene_col = _first(alterations, _GENE_COLUMNS)
    if gene_col is None:
        raise InputDataError(
            f"{alterations.attrs.get('path', 'alterations table')}: needs a gene column "
            f"(one of {', '.join(_GENE_COLUMNS)})"
        )
    prot_col = _first(alterations, _PROTEIN_COLUMNS)
    class_col = _first(alterations, _CLASS_COLUMNS)
    type_col = _first(alterations, _TYPE_COLUMNS)
    exon_col = _first(alterations, _EXON_COLUMNS)
    sample_col = _first(alterations, _SAMPLE_COLUMNS)
    alt_col = "alteration" if "alteration" in alterations.columns else None
    records = []
    for row in alterations.to_dict("records"):
        raw_protein = row.get(prot_col) if prot_col else None
        if not isinstance(raw_protein, str) and alt_col:
            raw_protein = row.get(alt_col)
        text = raw_protein if isinstance(raw_protein, str) else None
        kind = _alteration_type(row, type_col, text or (row.get(alt_col) if alt_col else None))
        change = parse_hgvsp(text) if kind == "mutation" else None
        vclass = row.get(class_col) if class_col else None
        if not isinstance(vclass, str) or not vclass:
            vclass = _infer_class(change)
        records.append({
            "gene": str(row[gene_col]).strip(),
            "type": kind,
            "change": change,
            "vclass": vclass,
            "exon": _parse_exon(row.get(exon_col)) if exon_col else None,
            "sample": row.get(sample_col) if sample_col else None,
            "label": _label(str(row[gene_col]).strip(), kind, change, row.get(alt_col) if alt_col else None),
        })
    return pd.DataFrame.from_records(records, columns=["gene", "type", "change", "vclass", "exon", "sample", "label"])


def _label(gene: str, kind: str, change, alteration_text: object) -> str:
    if kind == "mutation":
        return f"{gene} {change.short}" if change is not None else f"{gene} mutation"
    if isinstance(alteration_text, str) and alteration_text.strip() and gene in alteration_text:
        return alteration_text.strip()
    return f"{gene} {kind}"


def _rule_matches(rule_type: str, compiled: Any, gene: str, alt: pd.Series) -> bool:
    change = alt["change"]
    if rule_type == "class":
        if compiled == "amplification":
            return alt["type"] == "amplification"
        if compiled == "fusion":
            return alt["type"] == "fusion"
        return alt["type"] == "mutation" and alt["vclass"] in NONSYNONYMOUS_CLASSES
    if alt["type"] != "mutation" or change is None:
        return False
    if rule_type == "protein":
        return change.short in compiled
    protein_altering = alt["vclass"] in PROTEIN_ALTERING_CLASSES
    if rule_type == "codon":
        return protein_altering and change.position in compiled
    if rule_type == "codon_range":
        lo, hi = compiled
        return alt["vclass"] == "Missense_Mutation" and change.position is not None and lo <= change.position <= hi
    if rule_type == "exon":
        if not protein_altering:
            return False
        # the codon decides when the gene is in the codon table: exon numbers depend on the transcript an
        # annotation used (a MAF's Exon_Number and a VCF's CSQ EXON can disagree), the codon does not; a
        # codon beyond the protein matches no exon. Exon_Number is used when the position is unknown.
        if change.position is not None and gene in set(_exon_table()["gene"]):
            return exon_of_codon(gene, change.position) in compiled
        return alt["exon"] in compiled
    return False


def _msi_positive(msi_status: Any) -> bool:
    if msi_status is None:
        return False
    if isinstance(msi_status, bool):
        return msi_status
    status = getattr(msi_status, "status", msi_status)  # MSIResult or str
    text = str(status).strip().upper()
    return text in {"MSI-H", "MSI-HIGH", "DMMR", "MSI-H/DMMR", "DEFICIENT"}


def _dmmr(msi_status: Any) -> bool:
    """MMR deficiency by immunohistochemistry: an MSIResult with ``mmr_status == 'dMMR'`` or the words
    ``dMMR``/``deficient``/``MSI-H/dMMR``; an MSI-H score alone (or ``True``) is not an IHC result."""
    if msi_status is None or isinstance(msi_status, bool):
        return False
    if hasattr(msi_status, "mmr_status"):
        return msi_status.mmr_status == "dMMR"
    return str(msi_status).strip().upper() in {"DMMR", "DEFICIENT", "MSI-H/DMMR"}


def _tmb_positive(tmb_high: Any) -> bool:
    if tmb_high is None:
        return False
    return bool(getattr(tmb_high, "high", tmb_high))


def _her2_ihc3(her2_ihc: Any) -> bool:
    if her2_ihc is None:
        return False
    text = str(her2_ihc).strip().replace(" ", "")
    return text in {"3+", "3", "IHC3+"}


def _is_ras_hotspot(alt: pd.Series) -> bool:
    change = alt["change"]
    return (alt["gene"] in RAS_GENES and alt["type"] == "mutation" and change is not None
            and alt["vclass"] in PROTEIN_ALTERING_CLASSES and change.position in RAS_HOTSPOT_CODONS)


def _is_braf_v600e(alt: pd.Series) -> bool:
    return alt["gene"] == "BRAF" and alt["type"] == "mutation" and alt["change"] is not None \
        and alt["change"].short == "V600E"


def _hit(alt_label: str, rule: Any, sample: Any) -> dict:
    return {"alteration": alt_label, "gene": rule.gene, "therapy": rule.therapy, "level": rule.level,
            "date": rule.date, "source": rule.source, "kind": rule.kind, "rule_id": rule.id,
            "condition": rule.condition, "sample": sample}


def match_actionability(
    alterations_df: pd.DataFrame,
    *,
    msi_status: Any = None,
    tmb_high: Any = None,
    her2_ihc: Any = None,
    kb: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Match a tumour's alterations (and MSI/MMR, TMB and HER2 IHC status) against the knowledge base.

    Parameters
    ----------
    alterations_df
        One row per alteration: a gene column (``gene`` or ``Hugo_Symbol``), a protein change
        (``hgvsp``, ``HGVSp_Short``, ``HGVSp``, ``Protein_Change`` or ``AAChange``, any HGVS spelling),
        optionally ``Variant_Classification``, ``Exon_Number``, ``alteration_type`` (``mutation``,
        ``amplification``, ``fusion``) and a sample column (``Tumor_Sample_Barcode``/``sample``; the RAS/BRAF
        conditions are then checked per sample). A MAF table works as is.
    msi_status
        ``'MSI-H'``/``'dMMR'`` (or an :class:`~bigmed_utils.oncology.msi.MSIResult`, or True) triggers the
        MSI-H rules; MMR deficiency by IHC (``'dMMR'``, or an MSIResult with ``mmr_status='dMMR'``) also the
        dMMR rules (dostarlimab: dMMR by IHC).
    tmb_high
        True (or a :class:`~bigmed_utils.oncology.tmb.TMBResult` with ``high``) triggers the TMB-H rules.
    her2_ihc
        HER2 immunohistochemistry score (``'0'``, ``'1+'``, ``'2+'``, ``'3+'``); ``3+`` triggers the HER2-IHC3+
        rules.
    kb
        Knowledge base (default: :func:`load_knowledge_base`).

    Returns
    -------
    pandas.DataFrame
        Columns ``alteration, gene, therapy, level, date, source, kind, rule_id`` (plus ``sample`` if the input
        had one), sorted by level; variants of unknown therapeutic meaning (kind ``unknown``, empty level)
        come last. A therapy matched by several rules for the same alteration appears once with the sources
        joined by `` | ``. ``attrs['kb_version']`` names the knowledge base.
    """
    kb = load_knowledge_base() if kb is None else kb
    compiled = {r.id: _compile_rule(r.rule_type, r.rule) for r in kb.itertuples(index=False)}
    alts = _standardise(alterations_df) if len(alterations_df) else _standardise(
        pd.DataFrame(columns=["gene", "hgvsp"]))
    has_sample = alts["sample"].notna().any()
    samples = list(dict.fromkeys(alts["sample"])) if has_sample else [None]
    ras_mutant = {a["sample"] for _, a in alts.iterrows() if _is_ras_hotspot(a)}
    braf_v600e = {a["sample"] for _, a in alts.iterrows() if _is_braf_v600e(a)}
    alts = alts[alts["gene"].isin(set(kb["gene"]))]

    hits: list[dict] = []
    for _, alt in alts.iterrows():
        rules = kb[kb["gene"] == alt["gene"]]
        matched = [r for r in rules.itertuples(index=False) if r.rule_type not in ("biomarker", "other")
                   and _rule_matches(r.rule_type, compiled[r.id], r.gene, alt)]
        hits += [_hit(alt["label"], r, alt["sample"]) for r in matched]
        if not matched and alt["type"] == "mutation" and alt["vclass"] in NONSYNONYMOUS_CLASSES:
            hits += [_hit(alt["label"], r, alt["sample"]) for r in rules.itertuples(index=False)
                     if r.rule_type == "other"]

    markers = {"MSI-H": _msi_positive(msi_status), "dMMR": _dmmr(msi_status), "TMB-H": _tmb_positive(tmb_high),
               "HER2-IHC3+": _her2_ihc3(her2_ihc)}
    labels = {"HER2-IHC3+": "HER2 IHC 3+"}
    for rule in kb[kb["rule_type"] == "biomarker"].itertuples(index=False):
        if markers.get(rule.rule):
            hits += [_hit(labels.get(rule.rule, rule.rule), rule, sample) for sample in samples]

    # conditions per sample: RAS = KRAS/NRAS hotspot codons only; BRAF = V600E
    hits = [h for h in hits if not (h["condition"] in ("ras_wild_type", "ras_braf_wild_type") and h["sample"] in ras_mutant)
            and not (h["condition"] == "ras_braf_wild_type" and h["sample"] in braf_v600e)]
    return _collapse(hits, has_sample, kb)


def _collapse(hits: list[dict], has_sample: bool, kb: pd.DataFrame) -> pd.DataFrame:
    columns = OUTPUT_COLUMNS + (["sample"] if has_sample else [])
    if not hits:
        out = pd.DataFrame(columns=columns)
    else:
        df = pd.DataFrame(hits)
        keys = ["sample", "alteration", "gene", "therapy", "level", "kind"]
        df["sample"] = df["sample"].astype(object).where(df["sample"].notna(), "")
        out = (df.groupby(keys, sort=False, dropna=False)
                 .agg(date=("date", lambda s: " | ".join(dict.fromkeys(s))),
                      source=("source", lambda s: " | ".join(dict.fromkeys(s))),
                      rule_id=("rule_id", lambda s: ",".join(dict.fromkeys(s))))
                 .reset_index())
        out["_rank"] = out["level"].map({lvl: i for i, lvl in enumerate(LEVELS)}).fillna(len(LEVELS))
        out = out.sort_values(["sample", "_rank", "gene", "alteration", "therapy"], kind="stable")
        out = out[columns].reset_index(drop=True)
    out.attrs["kb_version"] = kb.attrs.get("version")
    out.attrs["kb_date"] = kb.attrs.get("date")
    return out


def summarise_actionability(matches: pd.DataFrame) -> dict[str, list[dict]]:
    """Split a :func:`match_actionability` table into ``actionable`` (sensitive), ``resistance`` and
    ``unknown_meaning`` (variants of unknown therapeutic meaning) lists of ``{alteration, therapy, level,
    source}`` dicts, as written to a patient's ``summary.json``."""
    cols = ["alteration", "therapy", "level", "source"]
    return {key: matches[matches["kind"] == kind][cols].to_dict("records")
            for key, kind in (("actionable", "sensitive"), ("resistance", "resistance"),
                              ("unknown_meaning", "unknown"))}


__all__ = [
    "load_knowledge_base",
    "match_actionability",
    "summarise_actionability",
    "exon_of_codon",
    "LEVELS",
    "PROTEIN_ALTERING_CLASSES",
    "RAS_HOTSPOT_CODONS",
]
