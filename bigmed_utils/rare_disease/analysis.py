"""The rare-disease case analysis: a family's VCF and the proband's phenotypes → ranked candidates.

:func:`analyse_case` ties the tested pieces together, in an order that makes bad input fail before any
heavy work:

1. phenotypes: ``hpo_terms``, the phenopacket's observed/excluded features and the clinical note (terms
   from HPO names and synonyms, with negation), each validated against the HPO; an unknown id names the
   term and where it came from;
2. the PED (read and validated; the proband must be in it);
3. the VCF header: the proband and every member of the proband's family must be samples of the VCF, the
   VEP ``CSQ`` field must be declared, a bgzip file must be complete;
4. Hail: import once (:func:`bigmed_utils.io.vcf.read_vcf` with the CSQ strings unparsed, cached by
   :func:`bigmed_utils.io.vcf_cache.read_vcf_cached`); family QC with flags and the proband's rare rows
   (:func:`~bigmed_utils.genomics.inheritance.proband_rare_rows`, CSQ parsed for those rows only), both
   cached beside the import because no parameter changes them; candidates per inheritance mode with the
   genotype filters and AF ceilings of the parameters;
5. optional gene panel; phenotype ranking of the candidate genes (best disease per gene); the inheritance
   of each gene's diseases against the candidate's mode (``gene_moi``, ``moi_match``,
   :mod:`bigmed_utils.genomics.moi`); ACMG/AMP classification (PP4 from the phenotype score, PS2 only with
   both parents tested *and* parentage confirmed by the family QC, else PM6; PM3 by the ClinGen SVI point
   table from the compound-het partner and its phase); in-house database counts and previous classes; the
   combined score and rank (:mod:`bigmed_utils.rare_disease.ranking`); similar earlier patients from the
   in-house database.

Candidates are only variants that pass the consequence gate (:mod:`bigmed_utils.genomics.gate`) unless the
parameter ``consequence_gate`` is off; the funnel shows the gate as a step.

Everything returned is small pandas/dicts: :class:`CaseResult`.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputDataError, ParameterError
from ..genomics.acmg import classify_variants, pm3_points
from ..genomics.gate import clinvar_pathogenic
from ..genomics.csq import TRANSCRIPT_RULE
from ..genomics.filters import GenotypeFilters
from ..genomics.inheritance import MODES, InheritanceThresholds
from ..params import RareDiseaseParams
from .ranking import SCORE_FORMULA, rank_candidates

log = logging.getLogger(__name__)

#: readable names of the inheritance modes (report text and headline)
MODE_LABELS = {
    "de_novo": "de novo",
    "autosomal_recessive": "autosomal recessive (homozygous)",
    "compound_heterozygous": "compound heterozygous",
    "x_linked": "X-linked",
    "autosomal_dominant": "autosomal dominant",
}


@dataclass
class Phenotypes:
    """The patient's phenotypes from every source, validated (current primary HPO ids)."""

    observed: list[str]
    excluded: list[str]
    #: one row per (term, source): hpo_id, name, status (observed/excluded), source, matched_text
    table: pd.DataFrame


@dataclass
class CaseResult:
    """Everything the rare-disease notebook shows (small tables, dicts)."""

    case_id: str
    proband: str
    members: dict[str, Any]
    phenotypes: Phenotypes
    qc_samples: pd.DataFrame
    qc_trios: pd.DataFrame
    qc_pairs: pd.DataFrame
    funnel: list[tuple[str, int]]
    candidates: pd.DataFrame
    top: pd.DataFrame
    similar_patients: pd.DataFrame
    summary: dict[str, Any]
    headline: str
    thresholds: dict[str, Any] = field(default_factory=dict)
    genotype_filters: dict[str, Any] = field(default_factory=dict)
    transcript_rule: str = TRANSCRIPT_RULE
    score_formula: str = SCORE_FORMULA
    gene_panel: list[str] | None = None
    inhouse_db: str | None = None
    vcf: str | None = None
    genome_build: str = "GRCh38"
    #: seconds per step (checks, import, qc, candidates, ranking), for benchmarks; not in the summary
    timings: dict[str, float] = field(default_factory=dict)
    #: whether the family QC confirms maternity and paternity (:func:`bigmed_utils.genomics.qc.parentage`)
    parentage: Any = None
    #: the consequence gate was applied (parameter ``consequence_gate``)
    consequence_gate: bool = True
    #: dominant candidates may be inherited from an unaffected parent (parameter ``reduced_penetrance``)
    reduced_penetrance: bool = False


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


# --------------------------------------------------------------------------------------------------------
# 4.-5. the analysis


def _filters(params: RareDiseaseParams) -> GenotypeFilters:
    return GenotypeFilters(
        min_gq=params.min_gq, min_dp=params.min_dp, het_ab_min=params.het_ab_min, het_ab_max=params.het_ab_max,
        hom_ref_ab_max=params.homref_ab_max, hom_alt_ab_min=params.homalt_ab_min, require_pass=params.require_pass,
    )


def _thresholds(params: RareDiseaseParams) -> InheritanceThresholds:
    return InheritanceThresholds(
        de_novo_max_af=params.max_af_de_novo, dominant_max_af=params.max_af_dominant,
        recessive_max_af=params.max_af_recessive, compound_het_max_af=params.max_af_compound_het,
    )


def _restrict_to_panel(cands: pd.DataFrame, panel: list[str]) -> pd.DataFrame:
    wanted = set(panel)
    keep = cands["gene"].isin(wanted) | cands["genes"].map(lambda gs: bool(wanted & set(gs or [])))
    out = cands[keep].copy()
    # a compound-het row needs a partner that is still listed
    left = set(out["variant_id"])
    out["partners"] = out["partners"].map(lambda ps: [p for p in (ps or []) if p in left])
    ch = out["mode"] == "compound_heterozygous"
    return out[~ch | (out["partners"].map(len) > 0)].reset_index(drop=True)


def _classify(cands: pd.DataFrame, *, parents_tested: bool, parentage: Any = None, source: str) -> pd.DataFrame:
    """ACMG classification; PM3 with the compound-het partner that earns the most PM3 points.

    ``parentage`` (:class:`~bigmed_utils.genomics.qc.Parentage`) decides PS2 against PM6 for de novo variants.
    """
    table = cands.copy()
    # read_vcf writes max_af 0 for a variant absent from the frequency databases (af_missing): the ACMG
    # engine wants NaN there, so that PM2 says "absent from population databases"
    if "af_missing" in table:
        table["max_af"] = table["max_af"].astype(float).mask(table["af_missing"].fillna(False).astype(bool))
    table["parents_tested"] = parents_tested
    table["parentage_confirmed"] = bool(parentage is not None and parentage.confirmed)
    table["parentage_note"] = parentage.note if parentage is not None else "parentage not checked (no family QC)"
    table["in_trans_with"] = None
    table["partner_phase_of_pair"] = None
    first = classify_variants(table.drop(columns=["partner_phase_of_pair"]), source=source)
    if (table["mode"] == "compound_heterozygous").any():
        key = first["variant_id"] + "|" + first["mode"]
        classes = dict(zip(key, first["acmg_class"]))
        points = dict(zip(key, first["acmg_points"]))
        clinvar = {v for v, c in zip(table["variant_id"], table["clin_sig"]) if clinvar_pathogenic(c)}

        def best_partner(row: Any) -> tuple[str | None, str | None]:
            if row["mode"] != "compound_heterozygous":
                return None, None
            phases = row.get("partner_phase") or {}
            ps = [p for p in (row["partners"] or []) if f"{p}|compound_heterozygous" in points]
            if not ps:
                return None, None

            def pm3(p: str) -> float:
                cls = classes[f"{p}|compound_heterozygous"]
                if cls not in ("Pathogenic", "Likely pathogenic") and p in clinvar:
                    cls = "pathogenic"
                return pm3_points(partner_class=cls, phase=phases.get(p, "unknown"))

            best = sorted(ps, key=lambda p: (-pm3(p), -points[f"{p}|compound_heterozygous"], p))[0]
            return best, phases.get(best, "unknown")

        chosen = [best_partner(r) for r in table.to_dict("records")]
        table["in_trans_with"] = [c[0] for c in chosen]
        table["partner_phase_of_pair"] = [c[1] for c in chosen]
        # classify_variants keys its first pass by variant_id: give it the compound-het rows' view
        ch = table["mode"] == "compound_heterozygous"
        view = table[ch].drop(columns=["partner_phase"]).rename(columns={"partner_phase_of_pair": "partner_phase"})
        ch_cls = classify_variants(view, source=source)
        ch_cls = ch_cls.drop(columns=["partner_phase"]).assign(partner_phase=table.loc[ch, "partner_phase"].values)
        rest = first[~ch.values]
        first = pd.concat([rest, ch_cls]).loc[table.index]
    first["max_af"] = cands["max_af"]
    return first


def _genotype_label(gt: str | None) -> str:
    return "./." if gt is None or (isinstance(gt, float) and pd.isna(gt)) else str(gt)


def analyse_case(
    params: RareDiseaseParams, *, min_partitions: int | None = None, family_qc: bool = True
) -> CaseResult:
    """Run the rare-disease analysis of one case (see the module docstring for the steps).

    Parameters
    ----------
    params
        Validated parameters (:class:`~bigmed_utils.params.RareDiseaseParams`).
    min_partitions
        Partitions of the VCF import (default :func:`default_min_partitions`). The import is cached beside
        the VCF (:func:`bigmed_utils.io.vcf_cache.read_vcf_cached`), so a re-analysis skips it.
    family_qc
        Run the family QC (default). ``False`` skips it (empty QC tables; for benchmarks of the ranking
        only -- a report always has QC).

    Returns
    -------
    CaseResult

    Raises
    ------
    InputDataError, ParameterError
        Bad input, with one line naming the file, sample or term (before Hail starts where possible).
    """
    if not isinstance(params, RareDiseaseParams):
        raise ParameterError(f"analyse_case needs RareDiseaseParams, got {type(params).__name__}")
    # --- cheap checks first ---------------------------------------------------------------------------
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = round(now - clock, 2)
        clock = now
        log.info("%s: %s took %.1f s", params.case_id, step, timings[step])

    phenotypes = gather_phenotypes(params)
    panel = read_gene_panel(params.gene_panel)
    ped, family, _header = check_inputs(params)
    filters, thresholds = _filters(params), _thresholds(params)
    lap("input checks")

    # --- Hail -------------------------------------------------------------------------------------------
    from ..genomics.inheritance import FAMILY_TABLE_MAX_AF, find_candidates, proband_rare_rows
    from ..genomics.qc import QcResult, run_qc
    from ..io.vcf_cache import cached_derived, cached_json, read_vcf_cached

    # Imported once per VCF, CSQ left unparsed (parsing every row is most of an import's cost). Everything
    # that does not depend on the thresholds is cached beside the import too, so that a re-analysis (other
    # phenotypes, thresholds, panel) reads small tables: the family QC and the proband's rare rows.
    mt = read_vcf_cached(params.vcf, genome_build=params.genome_build, min_partitions=min_partitions,
                         parse_csq=False)
    lap("VCF import")
    fam_id = family["family_id"].iloc[0]
    fam_key = {"family": family.astype(str).to_dict("records")}
    if family_qc:
        qc = QcResult.from_dict(cached_json(
            mt, name="family-qc", options=fam_key, code=("genomics/qc.py",),
            build=lambda: run_qc(mt, ped, family_id=fam_id).to_dict(),
        ))
    else:
        qc = QcResult(samples=pd.DataFrame(columns=["sample", "flags"]), trios=pd.DataFrame(columns=["flags"]),
                      pairs=pd.DataFrame(columns=["flags"]))
    lap("family QC")
    ceiling = max(thresholds.loosest, FAMILY_TABLE_MAX_AF)
    rare = cached_derived(
        mt, name="proband-rare", options={**fam_key, "proband": params.proband, "max_af": ceiling},
        code=("genomics/inheritance.py",),
        build=lambda m: proband_rare_rows(m, ped, proband=params.proband, max_af=ceiling),
    )
    lap("proband's rare variants")
    found = find_candidates(rare, ped, proband=params.proband, filters=filters, thresholds=thresholds,
                            consequence_gate=params.consequence_gate, reduced_penetrance=params.reduced_penetrance,
                            vcf_path=str(params.vcf))
    lap("candidates")
    members = dict(found.members)
    info = family.set_index("individual_id")
    members["siblings"] = [
        s for s in members.get("relatives") or []
        if members.get("father") and members.get("mother")
        and info.at[s, "paternal_id"] == members["father"] and info.at[s, "maternal_id"] == members["mother"]
    ]
    cands = found.candidates
    funnel = list(found.funnel)
    if panel is not None:
        cands = _restrict_to_panel(cands, panel)
        funnel.append((f"in the gene panel ({len(panel)} genes)", int(cands["variant_id"].nunique())))

    # --- phenotype ranking ----------------------------------------------------------------------------
    from ..phenotype.similarity import rank_genes

    genes = sorted(set(cands["gene"].dropna().astype(str))) if len(cands) else []
    pheno = rank_genes(phenotypes.observed, genes, excluded=phenotypes.excluded, source="phenotypes")
    if len(cands):
        cands = cands.merge(pheno, on="gene", how="left")
        cands["phenotype_score"] = cands["phenotype_score"].fillna(0.0)
    else:
        for col in pheno.columns.drop("gene"):
            cands[col] = pd.Series(dtype=pheno[col].dtype)

    # --- mode of inheritance of the gene's diseases ---------------------------------------------------
    from ..genomics.moi import annotate_moi

    proband_sex = {1: "male", 2: "female"}.get(int(info.at[params.proband, "sex"]))
    cands = annotate_moi(cands, proband_sex=proband_sex, genome_build=params.genome_build)

    # --- ACMG --------------------------------------------------------------------------------------------
    from ..genomics.qc import parentage as check_parentage

    parents_tested = bool(members.get("father") and members.get("mother"))
    family_parentage = check_parentage(qc if family_qc else None, proband=params.proband,
                                       father=members.get("father"), mother=members.get("mother"))
    if len(cands):
        cands = _classify(cands, parents_tested=parents_tested, parentage=family_parentage,
                          source=f"candidates of {params.case_id}")
    else:
        for col in ("acmg_criteria", "acmg_points", "acmg_points_without_pp4", "acmg_class", "acmg_codes"):
            cands[col] = pd.Series(dtype=object)

    # --- in-house database -----------------------------------------------------------------------------
    similar = pd.DataFrame(columns=["case_id", "similarity", "shared_genes", "n_shared_genes", "n_terms"])
    cands["inhouse_count"] = 0
    cands["inhouse_het"] = 0
    cands["inhouse_hom"] = 0
    cands["inhouse_classes"] = [[] for _ in range(len(cands))]
    if params.inhouse_db is not None and Path(params.inhouse_db).exists():
        from ..genomics import inhouse_db

        if len(cands):
            hits = inhouse_db.lookup(params.inhouse_db, list(dict.fromkeys(cands["variant_id"])),
                                     genome_build=params.genome_build, exclude_case=params.case_id)
            cands = cands.drop(columns=["inhouse_count", "inhouse_het", "inhouse_hom", "inhouse_classes"])
            cands = cands.merge(hits, on="variant_id", how="left")
            for col in ("inhouse_count", "inhouse_het", "inhouse_hom"):
                cands[col] = cands[col].fillna(0).astype(int)
            cands["inhouse_classes"] = cands["inhouse_classes"].map(lambda v: v if isinstance(v, list) else [])
        similar = inhouse_db.similar_cases(params.inhouse_db, phenotypes.observed, genes, exclude_case=params.case_id)

    # --- rank ------------------------------------------------------------------------------------------
    # The ranking weighs the phenotype itself: its genotype LR takes PP4 out of the ACMG points (phenotype counted
    # once; ranking.effective_points), while acmg_points keeps PP4 as in the class.
    ranked = rank_candidates(cands)
    roles = _roles(members)
    top = top_table(ranked, roles=roles, n=params.top_n)
    result = CaseResult(
        case_id=params.case_id,
        proband=params.proband,
        members=members,
        phenotypes=phenotypes,
        qc_samples=_qc_samples_table(qc.samples, roles),
        qc_trios=qc.trios,
        qc_pairs=qc.pairs,
        funnel=funnel,
        candidates=ranked,
        top=top,
        similar_patients=similar,
        summary={},
        headline="",
        thresholds={"max_af_" + k: v for k, v in {
            "de_novo": thresholds.de_novo_max_af, "dominant": thresholds.dominant_max_af,
            "recessive": thresholds.recessive_max_af, "compound_het": thresholds.compound_het_max_af}.items()},
        genotype_filters=filters.as_dict(),
        gene_panel=panel,
        inhouse_db=str(params.inhouse_db) if params.inhouse_db else None,
        vcf=str(params.vcf),
        genome_build=params.genome_build,
        parentage=family_parentage,
        consequence_gate=params.consequence_gate,
        reduced_penetrance=params.reduced_penetrance,
    )
    lap("ranking, ACMG, in-house database")
    result.timings = timings
    result.headline = headline(ranked)
    result.summary = build_summary(result, qc=qc)
    return result


def _roles(members: dict[str, Any]) -> dict[str, str]:
    """sample -> role label (proband, father, mother, sibling, relative)."""
    out = {members["proband"]: "proband"}
    for role in ("father", "mother"):
        if members.get(role):
            out[members[role]] = role
    siblings = set(members.get("siblings") or [])
    for s in members.get("relatives") or []:
        out.setdefault(s, "sibling" if s in siblings else "relative")
    return out


def _qc_samples_table(samples: pd.DataFrame, roles: dict[str, str]) -> pd.DataFrame:
    t = samples.copy()
    t.insert(1, "role", [roles.get(s, "relative") for s in t["sample"]])
    return t


def top_table(ranked: pd.DataFrame, *, roles: dict[str, str], n: int) -> pd.DataFrame:
    """The report's table of the ``n`` best candidates, one row per (variant, mode)."""
    rows = []
    for r in ranked.head(n).to_dict("records"):
        row = {
            "rank": r["rank"],
            "gene": r["gene"],
            "variant": r["variant_id"],
            # VEP writes '=' URL-encoded (p.Gly142%3D); shown as HGVS writes it
            "HGVS": " ".join(x.replace("%3D", "=") for x in (r.get("hgvsc"), r.get("hgvsp")) if isinstance(x, str)) or None,
            "consequence": r["consequence"],
            "mode": MODE_LABELS.get(r["mode"], r["mode"]),
        }
        for sample, role in roles.items():
            row[f"GT {role} ({sample})"] = _genotype_label(r.get(f"GT_{sample}"))
        row.update(
            {
                "population AF": _af_label(r.get("max_af"), r.get("af_missing")),
                "AF source": r.get("af_source") if isinstance(r.get("af_source"), str) else "—",
                "gate": r.get("gate") if isinstance(r.get("gate"), str) else "—",
                "inheritance of the gene's diseases": _moi_label(r),
                "in-house count": r.get("inhouse_count", 0),
                "ACMG class": r["acmg_class"],
                "ACMG criteria": r.get("acmg_codes") or "",
                "phenotype score": round(float(r["phenotype_score"]), 3),
                "best disease": _disease_label(r),
                # likelihood-ratio ranking (ranking.SCORE_FORMULA): the parts and the post-test probability
                "phenotype LR": float(f"{float(r['phenotype_lr']):.3g}"),
                "genotype LR": float(f"{float(r['genotype_lr']):.3g}"),
                "terms moving the phenotype LR": _lr_terms(r),
                "score": round(float(r["score"]), 3),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _lr_terms(r: dict[str, Any]) -> str:
    from ..phenotype.likelihood import terms_text

    terms = r.get("phenotype_lr_terms")
    return terms_text(terms[:3]) if isinstance(terms, list) and terms else "—"


def _moi_label(r: dict[str, Any]) -> str:
    """``"consistent (autosomal dominant)"``; ``"unknown"`` when the gene has no annotated inheritance."""
    from ..genomics.moi import moi_text

    match = r.get("moi_match")
    codes = r.get("gene_moi")
    if not isinstance(match, str):
        return "—"
    if match == "unknown" or not isinstance(codes, (list, tuple)) or not codes:
        return "unknown (no annotated inheritance)"
    return f"{match} ({moi_text(codes)})"


def _disease_label(r: dict[str, Any]) -> str:
    name, did = r.get("best_disease_name"), r.get("best_disease_id")
    if isinstance(name, str) and isinstance(did, str):
        return f"{name} ({did})"
    return "—"


def _af_label(af: Any, missing: Any) -> str:
    if missing is True or af is None or pd.isna(af):
        return "absent"
    return f"{float(af):.2g}"


def headline(ranked: pd.DataFrame) -> str:
    """One line with the best candidate, e.g. ``SCN1A chr2:165987183:C:T de novo — Likely pathogenic (phenotype 0.93)``."""
    if ranked.empty:
        return "No candidate variant passed the filters"
    r = ranked.iloc[0]
    return (f"{r['gene']} {r['variant_id']} {MODE_LABELS.get(r['mode'], r['mode'])} — {r['acmg_class']} "
            f"(phenotype {float(r['phenotype_score']):.2f})")


def _nan(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in r.items()}
            for r in df.to_dict("records")]


def build_summary(result: CaseResult, *, qc: Any) -> dict[str, Any]:
    """``summary.json`` content: ``case_id``, ``qc``, ``phenotypes``, ``candidates`` (ranked), ``headline``..."""
    ranked = result.candidates
    roles = _roles(result.members)
    candidates = []
    for r in ranked.to_dict("records"):
        candidates.append(
            {
                "rank": int(r["rank"]),
                "gene": r["gene"],
                "variant": r["variant_id"],
                "mode": r["mode"],
                "acmg_class": r["acmg_class"],
                "acmg_criteria": [c["code"] for c in r["acmg_criteria"]],
                "phenotype_score": float(r["phenotype_score"]),
                "score": float(r["score"]),
                "acmg_points": int(r["acmg_points"]),
                "acmg_evidence": [{"code": c["code"], "reason": c["reason"]} for c in r["acmg_criteria"]],
                "variant_score": float(r["variant_score"]),
                "post_test_probability": float(r["post_test_probability"]),
                "phenotype_lr": float(r["phenotype_lr"]),
                "genotype_lr": float(r["genotype_lr"]),
                "genotype_lr_reason": r.get("genotype_lr_reason"),
                "phenotype_lr_terms": list(r.get("phenotype_lr_terms") or []),
                "hgvsc": r.get("hgvsc"),
                "hgvsp": r.get("hgvsp"),
                "consequence": r.get("consequence"),
                "max_af": None if pd.isna(r.get("max_af")) else float(r["max_af"]),
                "genotypes": {s: _genotype_label(r.get(f"GT_{s}")) for s in roles},
                "partners": list(r.get("partners") or []),
                "best_disease": r.get("best_disease_id") if isinstance(r.get("best_disease_id"), str) else None,
                "best_disease_name": r.get("best_disease_name") if isinstance(r.get("best_disease_name"), str) else None,
                "inhouse_count": int(r.get("inhouse_count", 0)),
                "inhouse_classes": list(r.get("inhouse_classes") or []),
                "gate": r.get("gate") if isinstance(r.get("gate"), str) else None,
                "moi_match": r.get("moi_match") if isinstance(r.get("moi_match"), str) else None,
                "gene_moi": list(r.get("gene_moi") or []),
                "af_source": r.get("af_source") if isinstance(r.get("af_source"), str) else None,
                "popmax_af": None if _nan(r.get("popmax_af")) else float(r["popmax_af"]),
                "acmg_points_without_pp4": int(r.get("acmg_points_without_pp4", r["acmg_points"])),
                "partner_phase": dict(r.get("partner_phase") or {}),
            }
        )
    qc_samples = _records(result.qc_samples.drop(columns=[c for c in result.qc_samples if c.startswith("flag_")]))
    pheno = result.phenotypes
    return {
        "case_id": result.case_id,
        "headline": result.headline,
        "proband": result.proband,
        "members": roles,
        "qc": {
            "samples": qc_samples,
            "trios": _records(result.qc_trios.drop(columns=[c for c in result.qc_trios if c.startswith("flag_")])),
            "relatedness": _records(result.qc_pairs.drop(columns=[c for c in result.qc_pairs if c.startswith("flag_")])),
            "any_flag": bool(qc.any_flag),
        },
        "phenotypes": {
            "observed": pheno.observed,
            "excluded": pheno.excluded,
            "terms": _records(pheno.table),
        },
        "candidates": candidates,
        "funnel": [{"step": s.strip(), "n": int(n)} for s, n in result.funnel],
        "similar_patients": _records(result.similar_patients),
        "thresholds": {**result.thresholds, **result.genotype_filters},
        "gene_panel": result.gene_panel,
        "consequence_gate": result.consequence_gate,
        "reduced_penetrance": result.reduced_penetrance,
        "parentage": None if result.parentage is None else {
            "confirmed": bool(result.parentage.confirmed), "note": result.parentage.note},
        "transcript_rule": result.transcript_rule,
        "score_formula": result.score_formula,
    }


__all__ = [
    "CaseResult",
    "MODE_LABELS",
    "Phenotypes",
    "analyse_case",
    "build_summary",
    "check_inputs",
    "gather_phenotypes",
    "headline",
    "read_gene_panel",
    "top_table",
]
