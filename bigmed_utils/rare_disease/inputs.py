"""Inputs of the rare-disease analysis, checked before Hail starts: the phenotypes from every source
(validated against the HPO), the gene panel, the PED and the VCF header.

Research use only; not a medical device.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputDataError, ParameterError
from ..params import RareDiseaseParams


@dataclass
class Phenotypes:
    """The patient's phenotypes from every source, validated (current primary HPO ids)."""

    observed: list[str]
    excluded: list[str]
    #: one row per (term, source): hpo_id, name, status (observed/excluded), source, matched_text
    table: pd.DataFrame


# --------------------------------------------------------------------------------------------------------
# 1. phenotypes


def gather_phenotypes(params: RareDiseaseParams) -> Phenotypes:
    """Collect and validate the phenotypes of ``hpo_terms``, ``phenopacket`` and ``clinical_note``.

    Raises
    ------
    InputDataError
        An unknown or malformed HPO id, naming the term and its source (parameter or file).
    """
    from ..io.phenopacket import read_phenopacket
    from ..phenotype.ontology import term_name, validate_terms

    rows: list[dict[str, Any]] = []
    given = validate_terms(list(params.hpo_terms), source="parameter hpo_terms") if params.hpo_terms else []
    rows += [{"hpo_id": t, "status": "observed", "source": "hpo_terms", "matched_text": None} for t in given]
    if params.phenopacket is not None:
        packet = read_phenopacket(params.phenopacket, validate_hpo=True)
        name = Path(params.phenopacket).name
        rows += [{"hpo_id": t, "status": "observed", "source": name, "matched_text": None} for t in packet.hpo_terms]
        rows += [{"hpo_id": t, "status": "excluded", "source": name, "matched_text": None} for t in packet.excluded_terms]
    if params.clinical_note is not None:
        from ..phenotype.text_to_hpo import extract_hpo

        path = Path(params.clinical_note)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputDataError(f"{path}: the clinical note is not UTF-8 text") from None
        mentions = extract_hpo(text)
        for r in mentions.to_dict("records"):
            rows.append({"hpo_id": r["hpo_id"], "status": "excluded" if r["excluded"] else "observed",
                         "source": path.name, "matched_text": r["matched_text"]})
    table = pd.DataFrame(rows, columns=["hpo_id", "status", "source", "matched_text"])
    observed = list(dict.fromkeys(table.loc[table["status"] == "observed", "hpo_id"]))
    # a term affirmed by any source counts as observed (as in terms_from_text)
    excluded = [t for t in dict.fromkeys(table.loc[table["status"] == "excluded", "hpo_id"]) if t not in observed]
    if not observed:
        raise InputDataError(
            "phenotypes: no observed HPO term in hpo_terms, the phenopacket or the clinical note "
            "(the phenotype ranking needs at least one)"
        )
    table.insert(1, "name", [term_name(t) for t in table["hpo_id"]])
    table = (
        table.groupby(["hpo_id", "name", "status"], sort=False, as_index=False)
        .agg(source=("source", lambda s: ", ".join(dict.fromkeys(s))),
             matched_text=("matched_text", lambda s: "; ".join(dict.fromkeys(x for x in s if isinstance(x, str))) or None))
    )
    table = table[~((table["status"] == "excluded") & table["hpo_id"].isin(observed))].reset_index(drop=True)
    return Phenotypes(observed=observed, excluded=excluded, table=table)


# --------------------------------------------------------------------------------------------------------
# 2.-3. PED and VCF header


def read_gene_panel(panel: Any) -> list[str] | None:
    """Gene symbols of the ``gene_panel`` parameter: a list, or a file with one symbol per line.

    In a file, ``#`` starts a comment and only the first column (tab, comma or blank separated) counts.
    """
    if panel is None:
        return None
    if isinstance(panel, (list, tuple)):
        genes = [str(g).strip() for g in panel if str(g).strip()]
        source = "parameter gene_panel"
    else:
        path = Path(panel)
        genes = []
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                genes.append(line.replace(",", " ").split()[0])
        source = str(path)
    if not genes:
        raise ParameterError(f"{source}: the gene panel names no gene")
    return list(dict.fromkeys(genes))


def check_inputs(params: RareDiseaseParams) -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    """Read the PED and the VCF header and check them against each other (no Hail).

    Returns
    -------
    (pedigree, family, header)
        The whole PED, the proband's family and the :class:`~bigmed_utils.io.vcf.VcfHeader`.

    Raises
    ------
    InputDataError
        Proband not in the PED or not in the VCF, a family member of the PED absent from the VCF, no CSQ
        declared, a truncated bgzip file.
    """
    from ..io.ped import read_ped
    from ..io.vcf import check_bgzf_complete, detect_compression, read_vcf_header

    ped = read_ped(params.ped)
    if params.proband not in set(ped["individual_id"]):
        raise InputDataError(f"{params.ped}: proband {params.proband!r} is not in the PED")
    fam_id = ped.loc[ped["individual_id"] == params.proband, "family_id"].iloc[0]
    family = ped[ped["family_id"] == fam_id].reset_index(drop=True)

    vcf = Path(params.vcf)
    if vcf.stat().st_size == 0:
        raise InputDataError(f"{vcf}: empty file")
    if detect_compression(vcf) == "bgzf":
        check_bgzf_complete(vcf)
    header = read_vcf_header(vcf)
    samples = set(header.samples)
    if params.proband not in samples:
        listed = ", ".join(sorted(samples)[:10]) or "none"
        raise InputDataError(f"{vcf}: proband {params.proband!r} is not a sample of the VCF (samples: {listed})")
    missing = [s for s in family["individual_id"] if s not in samples]
    if missing:
        names = ", ".join(repr(s) for s in missing)
        raise InputDataError(f"{params.ped}: samples {names} of the PED are absent from the VCF {vcf}")
    if "CSQ" not in header.info:
        extra = " (it has bcftools BCSQ instead)" if "BCSQ" in header.info else ""
        raise InputDataError(
            f"{vcf}: no VEP CSQ annotation (INFO/CSQ is not declared in the header){extra}; annotate with VEP first"
        )
    if not header.csq_fields:
        raise InputDataError(f"{vcf}: the INFO/CSQ header line has no 'Format: ...' list of VEP fields")
    return ped, family, header


def default_min_partitions(vcf: str | os.PathLike) -> int:
    """Partitions for ``hl.import_vcf`` (:func:`bigmed_utils.io.vcf_cache.default_min_partitions`)."""
    from ..io.vcf_cache import default_min_partitions as _default

    return _default(vcf)
