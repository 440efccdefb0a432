"""Reader for GA4GH Phenopacket v2 JSON (schema 2.0.x; https://phenopacket-schema.readthedocs.io).

The file is first validated against the schema with GA4GH's own ``phenopackets`` package (the protobuf
classes generated from the schema): ``google.protobuf.json_format.Parse`` with unknown fields refused, so a
misspelled key (``"exclued": true``), a wrong enum value (``"sex": "MAN"``) or a wrong type is named with the
file, the line and the field instead of being silently ignored. Then the message is projected to what the
analyses need.

Only what the analyses use is kept: subject, observed and excluded HPO features, diseases and variants.
Variants are taken as written: a ``vcfRecord`` when there is one, otherwise only the HGVS expressions or
the label (structural variants often have neither coordinates nor HGVS) -- coordinates are never guessed.
Diseases come from the top-level ``diseases`` and from interpretation diagnoses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputDataError, ParameterError

_SEXES = {"FEMALE", "MALE", "OTHER_SEX", "UNKNOWN_SEX"}


@dataclass(frozen=True)
class PhenopacketVariant:
    """One variant of an interpretation. ``chrom``/``pos``/``ref``/``alt`` are ``None`` without vcfRecord."""

    gene: str | None
    hgvs: tuple[str, ...]
    label: str | None
    chrom: str | None
    pos: int | None
    ref: str | None
    alt: str | None
    assembly: str | None
    zygosity: str | None
    interpretation_status: str | None
    acmg_classification: str | None
    descriptor_id: str | None

    @property
    def has_coordinates(self) -> bool:
        return self.chrom is not None and self.pos is not None

    @property
    def variant(self) -> str | None:
        """``chrom:pos:ref:alt`` as written in the vcfRecord, or ``None``."""
        if not self.has_coordinates:
            return None
        return f"{self.chrom}:{self.pos}:{self.ref}:{self.alt}"


@dataclass(frozen=True)
class Phenopacket:
    """The parts of a phenopacket the analyses use."""

    id: str
    subject_id: str | None
    sex: str
    hpo_terms: tuple[str, ...]
    excluded_terms: tuple[str, ...]
    diseases: tuple[tuple[str, str], ...]  # (id, label)
    variants: tuple[PhenopacketVariant, ...] = field(default=())
    schema_version: str | None = None
    hpo_labels: dict = field(default_factory=dict, compare=False)
    path: str | None = None


def _require(obj: Any, key: str, where: str, path: Path, kind: type = dict) -> Any:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, kind):
        raise InputDataError(f"{path}: field {where}.{key} is missing or not a {kind.__name__}")
    return value


def _ontology_class(obj: Any, where: str, path: Path) -> tuple[str, str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not obj["id"].strip():
        raise InputDataError(f"{path}: field {where} has no ontology class id")
    return obj["id"].strip(), str(obj.get("label", ""))


def _variant(descriptor: dict, where: str, path: Path, status: str | None, acmg: str | None) -> PhenopacketVariant:
    gene = None
    gene_ctx = descriptor.get("geneContext")
    if isinstance(gene_ctx, dict):
        gene = gene_ctx.get("symbol") or gene_ctx.get("valueId")
    hgvs = tuple(
        str(e.get("value"))
        for e in descriptor.get("expressions", []) or []
        if isinstance(e, dict) and str(e.get("syntax", "")).lower().startswith("hgvs") and e.get("value")
    )
    vcf = descriptor.get("vcfRecord")
    chrom = pos = ref = alt = assembly = None
    if vcf is not None:
        if not isinstance(vcf, dict):
            raise InputDataError(f"{path}: field {where}.vcfRecord is not an object")
        for key in ("chrom", "pos", "ref", "alt"):
            if key not in vcf:
                raise InputDataError(f"{path}: field {where}.vcfRecord.{key} is missing")
        try:
            pos = int(vcf["pos"])  # protobuf JSON writes int64 as a string
        except (TypeError, ValueError):
            raise InputDataError(f"{path}: field {where}.vcfRecord.pos is not an integer: {vcf['pos']!r}") from None
        chrom, ref, alt = str(vcf["chrom"]), str(vcf["ref"]), str(vcf["alt"])
        assembly = vcf.get("genomeAssembly")
    zygosity = None
    state = descriptor.get("allelicState")
    if isinstance(state, dict):
        zygosity = state.get("label") or state.get("id")
    return PhenopacketVariant(
        gene=gene,
        hgvs=hgvs,
        label=descriptor.get("label"),
        chrom=chrom,
        pos=pos,
        ref=ref,
        alt=alt,
        assembly=assembly,
        zygosity=zygosity,
        interpretation_status=status,
        acmg_classification=acmg,
        descriptor_id=descriptor.get("id"),
    )


_AT_RE = re.compile(r'\s+at "?Phenopacket\.?([^"\s]*?)"?\.*$')
_CHAIN_RE = re.compile(r"^Failed to parse (\w+) field: ")
_UNKNOWN_RE = re.compile(r'has no field named "([^"]+)"')
_VALUE_RE = re.compile(r"""(?:Invalid enum value|: )\s*['"]?([^\s'"]+)['"]?\.*$""")


def _line_of(text: str, *tokens: str | None) -> int | None:
    """1-based line of the first ``"token"`` (a key or a string value) in the JSON text."""
    for token in tokens:
        if not token:
            continue
        for quoted in (f'"{token}"', token):
            at = text.find(quoted)
            if at >= 0:
                return text.count("\n", 0, at) + 1
    return None


def schema_error_line(path: Path, text: str, message: str) -> str:
    """One line from protobuf's ``ParseError``: file, line, field and reason.

    protobuf writes ``Failed to parse subject field: Failed to parse sex field: Invalid enum value MAN for
    enum type ... at Phenopacket.subject.sex.`` (several lines for an unknown key); this gives
    ``<file> line 7: field subject.sex: Invalid enum value MAN for enum type ...``.
    """
    inner = message.strip().splitlines()[0].strip() if message.strip() else "does not match the schema"
    names = []
    while (m := _CHAIN_RE.match(inner)) is not None:
        names.append(m.group(1))
        inner = inner[m.end():]
    where = ".".join(names)
    at = _AT_RE.search(inner)
    if at:
        where = at.group(1) or where
        inner = inner[: at.start()]
    inner = inner.rstrip(". ")
    unknown = _UNKNOWN_RE.search(inner)
    if unknown:
        key = unknown.group(1)
        where = f"{where}.{key}" if where else key
        line = _line_of(text, key)
        reason = " is not a Phenopacket v2 field (misspelled, or from another schema version)"
    else:
        value = _VALUE_RE.search(inner)
        line = _line_of(text, value.group(1) if value else None, names[-1] if names else None)
        reason = f": {inner or 'does not match the schema'}"
    loc = f" line {line}" if line else ""
    return f"{path}{loc}: field {where or '(top level)'}{reason}"


def _validated(text: str, data: dict, path: Path) -> dict:
    """The phenopacket as validated by GA4GH's ``phenopackets`` classes, back as a JSON dict (camelCase)."""
    from google.protobuf import json_format
    from phenopackets.schema.v2 import Phenopacket as PhenopacketMessage

    meta = data.get("metaData") if isinstance(data.get("metaData"), dict) else {}
    version = str(meta.get("phenopacketSchemaVersion", ""))
    if version.startswith("1"):
        raise InputDataError(f"{path}: field metaData.phenopacketSchemaVersion is {version!r}: Phenopacket v1 is "
                             "not read; convert it to v2 (phenopacket-tools convert)")
    try:
        message = json_format.Parse(text, PhenopacketMessage(), ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        raise InputDataError(schema_error_line(path, text, str(exc))) from None
    return json_format.MessageToDict(message)


def _interpretation_variants(data: dict, path: Path, diseases: list[tuple[str, str]]) -> list[PhenopacketVariant]:
    """The variants of ``interpretations[].diagnosis.genomicInterpretations``; a diagnosis' disease not yet in
    ``diseases`` is appended to it."""
    variants: list[PhenopacketVariant] = []
    for i, interp in enumerate(data.get("interpretations", []) or []):
        where = f"interpretations[{i}]"
        if not isinstance(interp, dict):
            raise InputDataError(f"{path}: field {where} is not an object")
        diagnosis = interp.get("diagnosis") or {}
        if not isinstance(diagnosis, dict):
            raise InputDataError(f"{path}: field {where}.diagnosis is not an object")
        if diagnosis.get("disease") is not None:
            entry = _ontology_class(diagnosis["disease"], f"{where}.diagnosis.disease", path)
            if entry[0] not in {d[0] for d in diseases}:
                diseases.append(entry)
        for j, gi in enumerate(diagnosis.get("genomicInterpretations", []) or []):
            gwhere = f"{where}.diagnosis.genomicInterpretations[{j}]"
            if not isinstance(gi, dict):
                raise InputDataError(f"{path}: field {gwhere} is not an object")
            vi = gi.get("variantInterpretation")
            if vi is None:
                continue  # a gene-only interpretation (geneDescriptor) carries no variant
            if not isinstance(vi, dict) or not isinstance(vi.get("variationDescriptor"), dict):
                raise InputDataError(f"{path}: field {gwhere}.variantInterpretation.variationDescriptor is missing")
            variants.append(
                _variant(
                    vi["variationDescriptor"],
                    f"{gwhere}.variantInterpretation.variationDescriptor",
                    path,
                    gi.get("interpretationStatus"),
                    vi.get("acmgPathogenicityClassification"),
                )
            )
    return variants


def read_phenopacket(path: str | Path, *, validate_hpo: bool = False) -> Phenopacket:
    """Read a GA4GH Phenopacket v2 JSON file.

    Parameters
    ----------
    path
        The ``.json`` file.
    validate_hpo
        Also check every HPO id against the HPO (hpo3) and map obsolete/alternative ids; an unknown id
        raises :class:`InputDataError` naming the file.

    Raises
    ------
    ParameterError
        The file does not exist.
    InputDataError
        Not JSON; a key, value or type the Phenopacket v2 schema does not allow (checked with GA4GH's
        ``phenopackets`` package: the message names the file, the line and the field); or a field the
        analyses need (``id``, ``phenotypicFeatures[i].type.id``...) is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"phenopacket file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputDataError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise InputDataError(f"{path}: not UTF-8 text") from None
    if not isinstance(data, dict):
        raise InputDataError(f"{path}: top level is not a JSON object")
    data = _validated(text, data, path)
    packet_id = data.get("id")
    if not isinstance(packet_id, str) or not packet_id:
        raise InputDataError(f"{path}: field id is missing (required by Phenopacket v2)")

    subject = data.get("subject") or {}
    if not isinstance(subject, dict):
        raise InputDataError(f"{path}: field subject is not an object")
    sex = str(subject.get("sex", "UNKNOWN_SEX")) or "UNKNOWN_SEX"
    if sex not in _SEXES:
        raise InputDataError(f"{path}: field subject.sex has an unknown value {sex!r} (expected one of {sorted(_SEXES)})")

    observed: list[str] = []
    excluded: list[str] = []
    labels: dict[str, str] = {}
    features = data.get("phenotypicFeatures", []) or []
    if not isinstance(features, list):
        raise InputDataError(f"{path}: field phenotypicFeatures is not a list")
    for i, feature in enumerate(features):
        where = f"phenotypicFeatures[{i}]"
        if not isinstance(feature, dict):
            raise InputDataError(f"{path}: field {where} is not an object")
        term_id, label = _ontology_class(feature.get("type"), f"{where}.type", path)
        labels[term_id] = label
        target = excluded if feature.get("excluded") is True else observed
        if term_id not in target:
            target.append(term_id)

    diseases: list[tuple[str, str]] = []
    for i, disease in enumerate(data.get("diseases", []) or []):
        where = f"diseases[{i}]"
        if not isinstance(disease, dict):
            raise InputDataError(f"{path}: field {where} is not an object")
        if disease.get("excluded") is True:
            continue
        entry = _ontology_class(disease.get("term"), f"{where}.term", path)
        if entry not in diseases:
            diseases.append(entry)

    variants = _interpretation_variants(data, path, diseases)

    if validate_hpo:
        from ..phenotype.ontology import validate_terms

        observed = validate_terms(observed, source=f"{path} (phenotypicFeatures)")
        excluded = validate_terms(excluded, source=f"{path} (phenotypicFeatures, excluded)")

    meta = data.get("metaData") if isinstance(data.get("metaData"), dict) else {}
    return Phenopacket(
        id=packet_id,
        subject_id=subject.get("id"),
        sex=sex,
        hpo_terms=tuple(observed),
        excluded_terms=tuple(excluded),
        diseases=tuple(diseases),
        variants=tuple(variants),
        schema_version=meta.get("phenopacketSchemaVersion"),
        hpo_labels=labels,
        path=str(path),
    )


__all__ = ["Phenopacket", "PhenopacketVariant", "read_phenopacket"]
