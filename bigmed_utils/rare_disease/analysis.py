"""The rare-disease case analysis: a family's VCF and the proband's phenotypes → ranked candidates.

:func:`analyse_case` ties the tested pieces together, in an order that makes bad input fail before any
heavy work:

1. phenotypes: ``hpo_terms``, the phenopacket's observed/excluded features and the clinical note (terms
   from HPO names and synonyms, with negation), each validated against the HPO; an unknown id names the
   term and where it came from;
2. the PED (read and validated; the proband must be in it);
3. the VCF header: the proband and every member of the proband's family must be samples of the VCF, the
   VEP ``CSQ`` field must be declared, a bgzip file must be complete;
4. Hail: the family QC (on a fixed set of informative sites, :mod:`bigmed_utils.genomics.qc_sites`) and the
   proband's rare rows (:func:`~bigmed_utils.genomics.rare_rows.proband_rare_rows`, CSQ parsed for those
   rows only), cached beside the VCF because no parameter changes them; a first analysis computes them from
   an htslib first pass over the VCF that overlaps the JVM's start (:mod:`bigmed_utils.io.first_pass`;
   ``BIGMED_FIRST_PASS=0``: from the whole VCF's cached import, :func:`bigmed_utils.io.vcf_cache.read_vcf_cached`);
   candidates per inheritance mode with the genotype filters and AF ceilings of the parameters (the rows
   that pass the consequence gate and Hail's de novo calls on them are cached too: no threshold changes them);
5. optional gene panel; phenotype ranking of the candidate genes (best disease per gene); the inheritance
   of each gene's diseases against the candidate's mode (``gene_moi``, ``moi_match``,
   :mod:`bigmed_utils.genomics.moi`); ACMG/AMP classification (PP4 from the phenotype score, PS2 only with
   both parents tested *and* parentage confirmed by the family QC, else PM6; PM3 by the ClinGen SVI point
   table from the compound-het partner and its phase); in-house database counts and previous classes; the
   combined score and rank (:mod:`bigmed_utils.rare_disease.ranking`); similar earlier patients from the
   in-house database.

Candidates are only variants that pass the consequence gate (:mod:`bigmed_utils.genomics.gate`) unless the
parameter ``consequence_gate`` is off; the funnel shows the gate as a step.

Everything returned is small pandas/dicts: :class:`CaseResult`. The input checks are in
:mod:`bigmed_utils.rare_disease.inputs`, the tables and the summary in :mod:`bigmed_utils.rare_disease.summary`;
their names are importable from here too.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ..errors import ParameterError
from ..genomics.acmg import classify_variants, pm3_points
from ..genomics.csq import TRANSCRIPT_RULE
from ..genomics.filters import GenotypeFilters
from ..genomics.gate import clinvar_pathogenic
from ..genomics.inheritance import InheritanceThresholds
from ..params import RareDiseaseParams
from .inputs import Phenotypes, check_inputs, default_min_partitions, gather_phenotypes, read_gene_panel
from .ranking import SCORE_FORMULA, rank_candidates
from .summary import MODE_LABELS, _qc_samples_table, _roles, build_summary, headline, top_table

log = logging.getLogger(__name__)


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
    from ..phenotype.genes import hpo_symbol

    # a panel written with today's symbols (GBA1) keeps a VCF's older ones (GBA), and the other way round
    wanted = {hpo_symbol(g) for g in panel}

    def listed(genes: Any) -> bool:
        return any(hpo_symbol(g) in wanted for g in genes if isinstance(g, str))

    keep = cands["gene"].map(lambda g: listed([g])) | cands["genes"].map(lambda gs: listed(gs or []))
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


def family_tables(params: RareDiseaseParams, *, ped: pd.DataFrame, family: pd.DataFrame,
                  min_partitions: int | None = None, family_qc: bool = True, early: bool = False) -> Any:
    """Where the family QC and the proband's rare rows come from (:class:`bigmed_utils.io.first_pass.FamilyTables`):
    the cache (a re-analysis), else the first pass over the VCF, else the whole VCF's cached import.

    ``early=True`` (the contract's pre-flight, before Hail starts) starts the first pass so that it overlaps the
    JVM's start; the analysis's own call then takes it over.
    """
    from ..genomics.rare_rows import FAMILY_TABLE_MAX_AF
    from ..io.first_pass import FamilyTables

    ceiling = max(_thresholds(params).loosest, FAMILY_TABLE_MAX_AF)
    return FamilyTables.start(vcf=params.vcf, genome_build=params.genome_build, min_partitions=min_partitions,
                              ped=ped, family=family, proband=params.proband, ceiling=ceiling, family_qc=family_qc,
                              early=early)


def _hail_steps(params: RareDiseaseParams, *, ped: pd.DataFrame, family: pd.DataFrame, filters: GenotypeFilters,
                thresholds: InheritanceThresholds, min_partitions: int | None, family_qc: bool,
                lap: Callable[[str], None]) -> tuple[Any, Any]:
    """``(family QC, candidates found)``: the family QC and the proband's rare rows (both cached beside the
    VCF, from the first pass or the whole VCF's import) and the candidates per inheritance mode."""
    from ..genomics.inheritance import find_candidates
    from ..genomics.qc import QcResult

    tables = family_tables(params, ped=ped, family=family, min_partitions=min_partitions, family_qc=family_qc)
    try:
        if tables.source != "cache":
            tables.rows()
    except BaseException:
        tables.close()
        raise
    lap("VCF import")
    if family_qc:
        qc = tables.family_qc()
    else:
        qc = QcResult(samples=pd.DataFrame(columns=["sample", "flags"]), trios=pd.DataFrame(columns=["flags"]),
                      pairs=pd.DataFrame(columns=["flags"]))
    lap("family QC")
    rare = tables.proband_rare()
    lap("proband's rare variants")
    found = find_candidates(rare, ped, proband=params.proband, filters=filters, thresholds=thresholds,
                            consequence_gate=params.consequence_gate, reduced_penetrance=params.reduced_penetrance,
                            vcf_path=str(params.vcf))
    lap("candidates")
    return qc, found


def _members(found_members: dict[str, Any], family: pd.DataFrame) -> dict[str, Any]:
    """The family members of the candidate search with ``siblings``: relatives who share both parents."""
    members = dict(found_members)
    info = family.set_index("individual_id")
    members["siblings"] = [
        s for s in members.get("relatives") or []
        if members.get("father") and members.get("mother")
        and info.at[s, "paternal_id"] == members["father"] and info.at[s, "maternal_id"] == members["mother"]
    ]
    return members


def _annotate(cands: pd.DataFrame, *, params: RareDiseaseParams, phenotypes: Phenotypes, genes: list[str],
              proband_sex: str | None, members: dict[str, Any], qc: Any, family_qc: bool) -> tuple[pd.DataFrame, Any]:
    """``(candidates, parentage)``: the candidates with their gene's phenotype score, the inheritance of the
    gene's diseases against the candidate's mode and the ACMG/AMP class; the family's parentage check."""
    # --- phenotype ranking ----------------------------------------------------------------------------
    from ..phenotype.similarity import rank_genes

    pheno = rank_genes(phenotypes.observed, genes, excluded=phenotypes.excluded, source="phenotypes")
    if len(cands):
        cands = cands.merge(pheno, on="gene", how="left")
        cands["phenotype_score"] = cands["phenotype_score"].fillna(0.0)
    else:
        for col in pheno.columns.drop("gene"):
            cands[col] = pd.Series(dtype=pheno[col].dtype)

    # --- mode of inheritance of the gene's diseases ---------------------------------------------------
    from ..genomics.moi import annotate_moi

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
    return cands, family_parentage


def _inhouse(cands: pd.DataFrame, *, params: RareDiseaseParams, phenotypes: Phenotypes, genes: list[str]
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(candidates, similar patients)``: counts and earlier classes of each candidate in the in-house
    database and the earlier patients with similar phenotypes (empty without a database)."""
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
    return cands, similar


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

    qc, found = _hail_steps(params, ped=ped, family=family, filters=filters, thresholds=thresholds,
                            min_partitions=min_partitions, family_qc=family_qc, lap=lap)
    members = _members(found.members, family)
    cands = found.candidates
    funnel = list(found.funnel)
    if panel is not None:
        cands = _restrict_to_panel(cands, panel)
        funnel.append((f"in the gene panel ({len(panel)} genes)", int(cands["variant_id"].nunique())))

    genes = sorted(set(cands["gene"].dropna().astype(str))) if len(cands) else []
    proband_sex = {1: "male", 2: "female"}.get(int(family.set_index("individual_id").at[params.proband, "sex"]))
    cands, family_parentage = _annotate(cands, params=params, phenotypes=phenotypes, genes=genes,
                                        proband_sex=proband_sex, members=members, qc=qc, family_qc=family_qc)
    cands, similar = _inhouse(cands, params=params, phenotypes=phenotypes, genes=genes)

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


__all__ = [
    "CaseResult",
    "MODE_LABELS",
    "Phenotypes",
    "analyse_case",
    "build_summary",
    "check_inputs",
    "default_min_partitions",
    "gather_phenotypes",
    "headline",
    "read_gene_panel",
    "top_table",
]
