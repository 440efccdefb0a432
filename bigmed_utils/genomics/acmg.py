"""ACMG/AMP variant classification (Richards et al. 2015 Genet Med 17:405) with the ClinGen points system
and the ClinGen Sequence Variant Interpretation (SVI) working group's refinements.

Generic engine shared by the rare-disease and cardiac analyses: it takes a *small* pandas table of
candidate variants (after Hail filtering) and returns it with ``acmg_class``, ``acmg_points``,
``acmg_points_without_pp4`` and ``acmg_criteria`` (every criterion that fired, as ``{"code", "strength",
"points", "reason"}``).

Input schema
------------
Required columns:

``variant_id`` (str)
    Unique id, e.g. ``"chr1:12345:A:G"``.
``gene`` (str)
    HGNC symbol.
``consequence`` (str)
    Ensembl/VEP SO terms, ``&``-joined (``"splice_donor_variant&intron_variant"``).

Optional columns (a missing column or a missing value means "no information": the criterion does not fire):

``impact`` (str), ``hgvsp`` (str)
    Shown only.
``hgvsc`` (str)
    HGVS c. notation; the intronic offset (``c.123+45A>G``) decides "deep intronic" for BP7.
``exon``, ``intron`` (str, VEP ``"k/N"``), ``protein_position`` (str, ``"p"`` or ``"p/L"``), ``nmd`` (bool,
VEP NMD plugin flag)
    The PVS1 decision tree (:mod:`bigmed_utils.genomics.pvs1`).
``spliceai`` (float)
    Largest SpliceAI delta score: PP3 (>= 0.2), BP7 (<= 0.1) (Walker et al. 2023).
``gate`` (str)
    Why the variant passed the consequence gate (:mod:`bigmed_utils.genomics.gate`); missing = rejected.
    Without the column the gate is computed from ``consequence``, ``spliceai`` and ``clin_sig``.
``max_af`` (float)
    Population allele frequency (gnomAD grpmax or the best source, :mod:`bigmed_utils.genomics.csq`);
    NaN = absent from the databases.
``revel`` (float)
    REVEL score; used for missense variants only.
``clin_sig`` (str)
    ClinVar significance from VEP CSQ (``CLIN_SIG``): used by the gate and for a compound-het partner's
    class (PM3), never as PP5/BP6.
``mode`` (str)
    One of :data:`MODES`.
``parents_tested`` (bool), ``parentage_confirmed`` (bool), ``parentage_note`` (str)
    Both parents genotyped; maternity and paternity confirmed by the family QC
    (:func:`bigmed_utils.genomics.qc.parentage`). A de novo variant gets PS2 only with both, else PM6.
``in_trans_with`` (str), ``partner_phase`` (str)
    The compound heterozygote's other allele (``variant_id``) and the phase of the pair: ``in_trans``
    (phased by transmission) or ``unknown``.
``phenotype_score`` (float, 0..1)
    Phenotype match of the gene (PP4).
``in_repeat_region`` (bool)
    The variant lies in a repetitive region (suppresses PM4).
``observed_in_unaffected`` (bool)
    Seen in an unaffected family member in a state incompatible with full penetrance (BS2).
``segregation`` (str)
    A segregation criterion already weighed by the caller (cardiac cascade analysis), e.g.
    ``"PP1"``, ``"PP1_Moderate"``, ``"PP1_Strong"`` or ``"BS4"``.

Criteria implemented
--------------------
PVS1 by the Abou Tayoun et al. 2018 decision tree (:mod:`bigmed_utils.genomics.pvs1`) in a gene where loss
of function is a disease mechanism (bundled ClinGen haploinsufficiency score 3; for recessive modes also
score 30, or a gene annotated to a recessive disorder in the HPO annotations); PS2/PM6 (ClinGen SVI: PS2
needs confirmed maternity and paternity); PM2_Supporting; PM3 by the ClinGen SVI PM3 v1.0 point table
(:data:`PM3_POINTS`); PM4; PP3/BP4 (REVEL, Pejaver et al. 2022; SpliceAI, Walker et al. 2023); BA1, BS1, BS2;
BP7 (Walker et al. 2023); PP4; PP1/BS4 (passed through).

Not applied, by design:

* PP5 and BP6 (a reputable source's assertion without its evidence): retired by ClinGen SVI (Biesecker &
  Harrison 2018 Genet Med 20:1505); ClinVar enters only through the gate and a PM3 partner's class.
* PS2/PM6 are applied at their default strengths. The ClinGen SVI de novo recommendation (v1.1) scales
  them by how specific the phenotype is; here the phenotype is weighed once, by PP4 and the ranking.
* PP4 is reported in ``acmg_criteria``, ``acmg_points`` and ``acmg_class`` (a laboratory would apply it
  when the phenotype is highly specific for the gene's disease; Biesecker et al. 2024 Am J Hum Genet
  111:24), but the ranking weighs the phenotype itself, as a likelihood ratio (LIRICAL, Robinson et al.
  2020 Am J Hum Genet 107:403). Counting PP4 there as well would count the phenotype twice, so the
  ranking's variant evidence is ``acmg_points_without_pp4``.

Combining: Tavtigian et al. 2020 (Hum Mutat 41:1734) points -- supporting 1, moderate 2, strong 4,
very strong 8, benign criteria negative; Pathogenic >= 10, Likely pathogenic 6..9, Uncertain
significance 0..5, Likely benign -1..-6, Benign <= -7; BA1 alone gives Benign. The original Richards
et al. 2015 Table 5 rules are available as :func:`richards_2015_class` for comparison.

Limitations (documented, not hidden): what the PVS1 tree cannot decide from VCF fields is listed in
:mod:`bigmed_utils.genomics.pvs1`; PS1/PM5/PM1/PS3/BS3/PS4 need data this engine is not given; BA1's
"at least 2,000 alleles in the group" (Ghosh et al. 2018) cannot be checked from VEP's frequencies.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, Mapping

import pandas as pd

from .._resources import data_path
from ..errors import InputDataError, ParameterError
from .gate import SPLICE_TERMS, SPLICEAI_MIN_DELTA, clinvar_pathogenic, gate_reason
from .acmg_combine import (  # the combining rules, re-exported
    BENIGN,
    BENIGN_MAX_POINTS,
    CLASSES,
    LIKELY_BENIGN,
    LIKELY_BENIGN_MAX_POINTS,
    LIKELY_PATHOGENIC,
    LIKELY_PATHOGENIC_MIN_POINTS,
    PATHOGENIC,
    PATHOGENIC_MIN_POINTS,
    STAND_ALONE_POINTS,
    STRENGTH_POINTS,
    VUS,
    _criterion,
    _strength_and_direction,
    combine_points,
    richards_2015_class,
    sum_points,
)
from .acmg_pm3 import PM3_POINTS, PM3_STRENGTH, pm3_criterion, pm3_points  # re-exported
from .pvs1 import pvs1_strength

#: inheritance modes, as named by the rare-disease analysis (summary.json contract)
MODES = ("de_novo", "autosomal_recessive", "compound_heterozygous", "x_linked", "autosomal_dominant", "x_linked_dominant")
RECESSIVE_MODES = frozenset({"autosomal_recessive", "compound_heterozygous", "x_linked"})
DOMINANT_MODES = frozenset({"de_novo", "autosomal_dominant", "x_linked_dominant"})

#: REVEL score intervals calibrated for PP3/BP4 (Pejaver et al. 2022 Am J Hum Genet 109:2163, Table 2):
#: PP3 Strong >= 0.932, Moderate [0.773, 0.932), Supporting [0.644, 0.773);
#: BP4 Supporting (0.183, 0.290], Moderate (0.016, 0.183], Strong (0.003, 0.016], Very strong <= 0.003.
#: Computational evidence is capped at Strong here (ClinGen SVI caution against Very Strong from one
#: predictor), so REVEL <= 0.016 gives BP4_Strong.
REVEL_PP3 = ((0.932, "Strong"), (0.773, "Moderate"), (0.644, "Supporting"))
REVEL_BP4 = ((0.016, "Strong"), (0.183, "Moderate"), (0.290, "Supporting"))

#: BA1: allele frequency above 5% is stand-alone benign (Richards et al. 2015; ClinGen SVI, Ghosh et al.
#: 2018 Hum Mutat 39:1525)
BA1_THRESHOLD = 0.05

#: BS1 "allele frequency greater than expected for the disorder": project defaults per mode
#: (configurable; Richards et al. 2015 leave the cut-off to the disorder; Whiffin et al. 2017 Genet Med
#: 19:1151 derive disease-specific maximum credible allele frequencies, typically <= 1e-3 for dominant
#: and ~1e-2 for recessive disorders -- these defaults are deliberately looser, for triage)
DEFAULT_BS1_THRESHOLDS = {
    "de_novo": 0.01,
    "autosomal_dominant": 0.01,
    "x_linked_dominant": 0.01,
    "x_linked": 0.01,
    "autosomal_recessive": 0.03,
    "compound_heterozygous": 0.03,
}
#: PM2_Supporting "absent or extremely rare" (ClinGen SVI recommendation for PM2 v1.0, 2020: apply at
#: supporting strength). Thresholds per mode are project defaults (configurable): absent or at most
#: 1e-5 for dominant/de novo, 1e-4 for recessive and X-linked.
DEFAULT_PM2_THRESHOLDS = {
    "de_novo": 1e-5,
    "autosomal_dominant": 1e-5,
    "x_linked_dominant": 1e-5,
    "x_linked": 1e-4,
    "autosomal_recessive": 1e-4,
    "compound_heterozygous": 1e-4,
}
#: PP4 (phenotype highly specific for the gene's disease): project default on the 0..1 phenotype score
DEFAULT_PP4_THRESHOLD = 0.5

#: null-variant consequences (SO terms) for PVS1 (Richards et al. 2015: nonsense, frameshift, canonical
#: +/-1,2 splice sites, initiation codon; Abou Tayoun et al. 2018 Hum Mutat 39:1517: initiation codon
#: variants at most PVS1_Moderate)
NULL_CONSEQUENCES = ("transcript_ablation", "stop_gained", "frameshift_variant", "splice_acceptor_variant",
                     "splice_donor_variant", "start_lost")
#: in-frame protein length changes for PM4
LENGTH_CHANGE_CONSEQUENCES = ("inframe_deletion", "inframe_insertion", "stop_lost")

#: SpliceAI delta score at or below which no splicing impact is predicted (BP4/BP7; Walker et al. 2023 Am J
#: Hum Genet 110:1046, calibrated SpliceAI thresholds: PP3 >= 0.2, BP4 <= 0.1)
SPLICEAI_MAX_BENIGN = 0.1
#: intronic positions from which BP7 may apply to an intronic variant (Walker et al. 2023: "+7/-21 or beyond")
BP7_MIN_DONOR_OFFSET = 7
BP7_MIN_ACCEPTOR_OFFSET = 21

REQUIRED_COLUMNS = ("variant_id", "gene", "consequence")
OPTIONAL_COLUMNS = ("impact", "hgvsp", "hgvsc", "exon", "intron", "protein_position", "nmd", "spliceai", "gate",
                    "max_af", "revel", "clin_sig", "mode", "parents_tested", "parentage_confirmed", "parentage_note",
                    "in_trans_with", "partner_phase", "phenotype_score", "in_repeat_region", "observed_in_unaffected",
                    "segregation")
#: criteria that carry the phenotype: excluded from ``acmg_points_without_pp4``
PHENOTYPE_CRITERIA = ("PP4",)

_SEGREGATION_CODES = {
    "PP1": ("PP1", "Supporting"),
    "PP1_SUPPORTING": ("PP1", "Supporting"),
    "PP1_MODERATE": ("PP1_Moderate", "Moderate"),
    "PP1_STRONG": ("PP1_Strong", "Strong"),
    "BS4": ("BS4", "Strong"),
}


#: HPO inheritance terms that make a gene "a gene of a recessive disorder" for PVS1 in recessive modes
RECESSIVE_INHERITANCE_TERMS = {
    "autosomal_recessive": ("HP:0000007",),  # Autosomal recessive inheritance
    "compound_heterozygous": ("HP:0000007",),
    "x_linked": ("HP:0001419", "HP:0001417"),  # X-linked recessive inheritance, X-linked inheritance
}


@lru_cache(maxsize=None)
def recessive_disease_genes(mode: str) -> frozenset[str]:
    """Genes whose hpo3 annotations carry the recessive inheritance term of ``mode``.

    For recessive modes Richards et al. 2015 accept PVS1 when biallelic loss of function causes the
    disease; a gene annotated to a recessive disorder is taken as such (derived from the HPO gene
    annotations compiled into hpo3, release 2025-11-24), in addition to ClinGen HI score 30.
    """
    from ..phenotype.ontology import ontology

    onto = ontology()
    wanted = {int(t.split(":")[1]) for t in RECESSIVE_INHERITANCE_TERMS.get(mode, ())}
    return frozenset(g.name for g in onto.genes if wanted & set(g.hpo))


@lru_cache(maxsize=1)
def lof_genes() -> dict[str, int]:
    """Gene symbol -> ClinGen haploinsufficiency score (3 or 30) from the bundled curation list."""
    table = pd.read_csv(data_path("acmg", "clingen_haploinsufficiency_genes.tsv"), sep="\t", comment="#")
    return dict(zip(table["gene"].astype(str), table["hi_score"].astype(int)))


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _flag(value: Any) -> bool:
    """True only for an explicit true value (missing counts as False)."""
    if _missing(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "y"}
    return bool(value)


def _number(value: Any, column: str, variant_id: str, source: str) -> float | None:
    if _missing(value) or (isinstance(value, str) and value.strip() in {"", "."}):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputDataError(f"{source}: column {column} of variant {variant_id} is not a number: {value!r}") from None
    return None if math.isnan(number) else number


def _consequences(value: Any) -> list[str]:
    if _missing(value):
        return []
    return [c for c in re.split(r"[&,]", str(value)) if c]


def _intron_offset(hgvsc: Any) -> tuple[str, int] | None:
    """(``"+"`` or ``"-"``, distance) of an intronic HGVS c. position (``c.123+45A>G`` -> ("+", 45))."""
    if _missing(hgvsc):
        return None
    m = re.search(r"c\.[-*]?\d+([+-])(\d+)", str(hgvsc))
    return (m.group(1), int(m.group(2))) if m else None


def clinvar_direction(clin_sig: Any) -> str | None:
    """``"pathogenic"``, ``"benign"`` or ``None`` (uncertain, conflicting or absent) for a CSQ CLIN_SIG."""
    if _missing(clin_sig):
        return None
    tokens = {t.strip().lower().replace(" ", "_") for t in re.split(r"[&/,|]", str(clin_sig)) if t.strip()}
    if any("conflicting" in t for t in tokens):
        return None
    path = bool(tokens & {"pathogenic", "likely_pathogenic"})
    benign = bool(tokens & {"benign", "likely_benign"})
    if path and not benign:
        return "pathogenic"
    if benign and not path:
        return "benign"
    return None


def _mechanism(gene: str, hi: int | None, mode: str | None, use_hpo_inheritance: bool) -> str | None:
    """Why loss of function causes disease in ``gene`` for ``mode`` (``None``: not established)."""
    recessive = mode in RECESSIVE_MODES
    if hi == 3 or (recessive and hi == 30):
        return f"loss of function is a known disease mechanism (ClinGen HI score {hi})"
    if recessive and use_hpo_inheritance and gene in recessive_disease_genes(mode):
        inheritance = "X-linked" if mode == "x_linked" else "autosomal recessive"
        return f"gene of an {inheritance} disorder in HPO annotations (biallelic loss of function)"
    return None


def _pvs1(row: Mapping[str, Any], consequences: list[str], gene: str, mechanism: str | None) -> dict[str, Any] | None:
    if mechanism is None:
        return None
    tree = pvs1_strength(consequences=consequences, exon=row.get("exon"), intron=row.get("intron"),
                         protein_position=row.get("protein_position"), nmd_escaping=row.get("nmd"))
    if tree is None:
        return None
    strength, why = tree
    term = next(c for c in NULL_CONSEQUENCES + ("initiator_codon_variant",) if c in consequences)
    code = {"Very strong": "PVS1", "Strong": "PVS1_Strong", "Moderate": "PVS1_Moderate"}[strength]
    return _criterion(code, strength, f"null variant ({term}) in {gene}; {mechanism}; {why} (Abou Tayoun et al. 2018)")


def _de_novo(row: Mapping[str, Any], passes_gate: bool) -> dict[str, Any] | None:
    """PS2 (confirmed de novo: both parents tested, parentage confirmed by QC) or PM6 (assumed)."""
    if not passes_gate:
        return None
    if not _flag(row.get("parents_tested")):
        return _criterion("PM6", "Moderate", "assumed de novo: parents not both tested")
    if not _flag(row.get("parentage_confirmed")):
        note = row.get("parentage_note")
        why = str(note) if not _missing(note) and str(note).strip() else "parentage not confirmed by the family QC"
        return _criterion("PM6", "Moderate", f"assumed de novo: {why}")
    return _criterion("PS2", "Strong", "de novo: absent from both tested parents, parentage confirmed by the family QC")


def _bp7(row: Mapping[str, Any], consequences: list[str], spliceai: float | None) -> dict[str, Any] | None:
    """BP7: synonymous or deep intronic (+7/-21 or beyond) without predicted splicing impact (Walker et al. 2023)."""
    terms = set(consequences)
    if terms & (set(SPLICE_TERMS) | {"splice_polypyrimidine_tract_variant"}):
        return None
    synonymous = "synonymous_variant" in terms and not terms & {"missense_variant", "stop_gained",
                                                               "frameshift_variant", "start_lost", "stop_lost"}
    offset = _intron_offset(row.get("hgvsc")) if "intron_variant" in terms and len(
        terms - {"intron_variant", "NMD_transcript_variant", "non_coding_transcript_variant"}) == 0 else None
    deep = offset is not None and (
        (offset[0] == "+" and offset[1] >= BP7_MIN_DONOR_OFFSET) or (offset[0] == "-" and offset[1] >= BP7_MIN_ACCEPTOR_OFFSET))
    if not (synonymous or deep):
        return None
    where = "synonymous" if synonymous else f"deep intronic (c.{offset[0]}{offset[1]})"
    if spliceai is not None:
        if spliceai <= SPLICEAI_MAX_BENIGN:
            return _criterion("BP7", "Supporting", f"{where}, SpliceAI {spliceai:g} <= {SPLICEAI_MAX_BENIGN:g}: no "
                              "predicted splicing impact (Walker et al. 2023)", benign=True)
        return None
    if synonymous:
        return _criterion("BP7", "Supporting", f"{where}, outside the VEP splice region; no SpliceAI score in the "
                          "annotation (splicing judged from the VEP consequence only)", benign=True)
    return None  # a deep intronic variant needs a splice prediction


def evaluate_variant(
    row: Mapping[str, Any],
    *,
    lof_gene_scores: Mapping[str, int] | None = None,
    pm2_thresholds: Mapping[str, float] | None = None,
    bs1_thresholds: Mapping[str, float] | None = None,
    ba1_threshold: float = BA1_THRESHOLD,
    pp4_threshold: float = DEFAULT_PP4_THRESHOLD,
    use_hpo_inheritance: bool = True,
    source: str = "candidate table",
) -> list[dict[str, Any]]:
    """The criteria that fire for one variant (all except PM3, which needs the other allele's class).

    ``row`` is a mapping with the columns of the module's input schema. Returns a list of
    ``{"code", "strength", "points", "reason"}`` in a fixed order (PVS, PS, PM, PP, BA, BS, BP).
    """
    scores = lof_genes() if lof_gene_scores is None else lof_gene_scores
    pm2 = {**DEFAULT_PM2_THRESHOLDS, **(pm2_thresholds or {})}
    bs1 = {**DEFAULT_BS1_THRESHOLDS, **(bs1_thresholds or {})}
    variant_id = str(row.get("variant_id"))
    gene = "" if _missing(row.get("gene")) else str(row.get("gene"))
    mode = None if _missing(row.get("mode")) else str(row.get("mode"))
    if mode is not None and mode not in MODES:
        raise InputDataError(f"{source}: column mode of variant {variant_id} has unknown value {mode!r} (expected one of {', '.join(MODES)})")
    consequences = _consequences(row.get("consequence"))
    max_af = _number(row.get("max_af"), "max_af", variant_id, source)
    revel = _number(row.get("revel"), "revel", variant_id, source)
    spliceai = _number(row.get("spliceai"), "spliceai", variant_id, source)
    pheno = _number(row.get("phenotype_score"), "phenotype_score", variant_id, source)
    if "gate" in row:
        passes_gate = not _missing(row.get("gate")) and bool(str(row.get("gate")).strip())
    else:
        passes_gate = gate_reason(consequence=row.get("consequence"), spliceai=spliceai,
                                  clin_sig=row.get("clin_sig")) is not None
    out: list[dict[str, Any]] = []

    # --- PVS1: null variant where loss of function causes disease (decision tree) -------------------
    pvs1 = _pvs1(row, consequences, gene, _mechanism(gene, scores.get(gene), mode, use_hpo_inheritance))
    is_null = pvs1 is not None
    if pvs1 is not None:
        out.append(pvs1)

    # --- PS2 / PM6: de novo (never for a variant the consequence gate rejects) -----------------------
    if mode == "de_novo":
        dn = _de_novo(row, passes_gate)
        if dn is not None:
            out.append(dn)

    # --- population frequency: BA1 > BS1 > PM2 (mutually exclusive) ---------------------------------
    ba1 = bs1_fired = False
    if max_af is not None and max_af > ba1_threshold:
        ba1 = True
    elif max_af is not None and max_af > bs1.get(mode or "autosomal_dominant", bs1["autosomal_dominant"]):
        bs1_fired = True
    else:
        limit = pm2.get(mode or "autosomal_dominant", pm2["autosomal_dominant"])
        if max_af is None:
            out.append(_criterion("PM2_Supporting", "Supporting", "absent from population databases"))
        elif max_af <= limit:
            out.append(_criterion("PM2_Supporting", "Supporting",
                                  f"population allele frequency {max_af:g} <= {limit:g} ({mode or 'dominant'} threshold)"))

    # --- PM4: protein length change -----------------------------------------------------------------
    length_terms = [c for c in LENGTH_CHANGE_CONSEQUENCES if c in consequences]
    if length_terms and not is_null and not _flag(row.get("in_repeat_region")):
        out.append(_criterion("PM4", "Moderate", f"protein length change ({length_terms[0]}) outside a repeat region"))

    # --- segregation from the caller (PP1 family / BS4) ---------------------------------------------
    seg = row.get("segregation")
    seg_code = None if _missing(seg) else _SEGREGATION_CODES.get(str(seg).strip().upper())
    if not _missing(seg) and str(seg).strip() and seg_code is None:
        raise InputDataError(f"{source}: column segregation of variant {variant_id} has unknown value {seg!r} (expected PP1, PP1_Moderate, PP1_Strong or BS4)")
    if seg_code is not None and seg_code[0].startswith("PP1"):
        out.append(_criterion(seg_code[0], seg_code[1], "co-segregation with disease in the family"))

    # --- PP3: REVEL for missense; else SpliceAI (one PP3 per variant, never with PVS1) -----------------
    missense = "missense_variant" in consequences and not is_null
    pp3 = None
    if missense and revel is not None:
        for threshold, strength in REVEL_PP3:
            if revel >= threshold:
                code = "PP3" if strength == "Supporting" else f"PP3_{strength}"
                pp3 = _criterion(code, strength, f"REVEL {revel:g} >= {threshold:g} (Pejaver et al. 2022)")
                break
    if pp3 is None and not is_null and spliceai is not None and spliceai >= SPLICEAI_MIN_DELTA:
        pp3 = _criterion("PP3", "Supporting",
                         f"SpliceAI delta score {spliceai:g} >= {SPLICEAI_MIN_DELTA:g} (Walker et al. 2023)")
    if pp3 is not None:
        out.append(pp3)

    # --- PP4: phenotype specific for the gene's disease ------------------------------------------------
    if pheno is not None and pheno >= pp4_threshold:
        out.append(_criterion("PP4", "Supporting", f"phenotype match score {pheno:.2f} >= {pp4_threshold:g}"))

    # --- benign criteria ---------------------------------------------------------------------------------
    if ba1:
        out.append(_criterion("BA1", "Stand-alone", f"population allele frequency {max_af:g} > {ba1_threshold:g}", benign=True))
    if bs1_fired:
        limit = bs1.get(mode or "autosomal_dominant", bs1["autosomal_dominant"])
        out.append(_criterion("BS1", "Strong",
                              f"population allele frequency {max_af:g} > {limit:g}, greater than expected for "
                              f"the disorder ({mode or 'dominant'})", benign=True))
    if _flag(row.get("observed_in_unaffected")):
        out.append(_criterion("BS2", "Strong",
                              "observed in an unaffected family member in a state incompatible with full penetrance",
                              benign=True))
    if seg_code is not None and seg_code[0] == "BS4":
        out.append(_criterion("BS4", "Strong", "lack of segregation in affected family members", benign=True))
    # a missense predicted to disturb splicing keeps no BP4 (Walker et al. 2023)
    if missense and revel is not None and not (spliceai is not None and spliceai >= SPLICEAI_MIN_DELTA):
        for threshold, strength in REVEL_BP4:
            if revel <= threshold:
                code = "BP4" if strength == "Supporting" else f"BP4_{strength}"
                out.append(_criterion(code, strength, f"REVEL {revel:g} <= {threshold:g} (Pejaver et al. 2022)",
                                      benign=True))
                break
    bp7 = _bp7(row, consequences, spliceai)
    if bp7 is not None:
        out.append(bp7)
    return out


def _pm3_for(record: Mapping[str, Any], first_pass: Mapping[str, str], clinvar_path: set[str]) -> dict[str, Any] | None:
    mode = None if _missing(record.get("mode")) else str(record.get("mode"))
    if mode == "autosomal_recessive":
        if not _flag(record.get("parents_tested")):
            return None  # a hom-alt call without parents may be hemizygous over a deletion
        return pm3_criterion(pm3_points(partner_class=None, phase=None, homozygous=True),
                             "homozygous, both parents heterozygous")
    other = record.get("in_trans_with")
    if _missing(other) or not str(other).strip():
        return None
    other = str(other).strip()
    phase = record.get("partner_phase")
    phase = "in_trans" if not _missing(phase) and str(phase) == "in_trans" else "unknown"
    other_class = first_pass.get(other)
    if other_class not in (PATHOGENIC, LIKELY_PATHOGENIC) and other in clinvar_path:
        other_class, label = "pathogenic", "pathogenic in ClinVar"
    else:
        label = (other_class or "unclassified").lower()
    phase_text = "in trans (phased by transmission)" if phase == "in_trans" else "phase unknown"
    return pm3_criterion(pm3_points(partner_class=other_class, phase=phase),
                         f"with {other} ({label}), {phase_text}")


def classify_variants(
    df: pd.DataFrame,
    *,
    lof_gene_scores: Mapping[str, int] | None = None,
    pm2_thresholds: Mapping[str, float] | None = None,
    bs1_thresholds: Mapping[str, float] | None = None,
    ba1_threshold: float = BA1_THRESHOLD,
    pp4_threshold: float = DEFAULT_PP4_THRESHOLD,
    use_hpo_inheritance: bool = True,
    source: str = "candidate table",
) -> pd.DataFrame:
    """Classify candidate variants; return a copy of ``df`` with ``acmg_class``, ``acmg_points``,
    ``acmg_points_without_pp4``, ``acmg_criteria`` (list of ``{"code", "strength", "points", "reason"}``)
    and ``acmg_codes`` (e.g. ``"PVS1,PM2_Supporting"``).

    Parameters
    ----------
    df
        Candidate variants with the columns of the module's input schema (one row per variant and mode).
    lof_gene_scores
        Gene -> ClinGen haploinsufficiency score, replacing the bundled list (e.g. for a curated panel).
    pm2_thresholds, bs1_thresholds
        Per-mode allele-frequency limits, merged over :data:`DEFAULT_PM2_THRESHOLDS` /
        :data:`DEFAULT_BS1_THRESHOLDS`.
    ba1_threshold
        BA1 allele frequency (default 0.05).
    pp4_threshold
        Minimum ``phenotype_score`` for PP4.
    use_hpo_inheritance
        For recessive modes, also accept genes annotated to a recessive disorder in hpo3 as genes where
        (biallelic) loss of function causes disease (:func:`recessive_disease_genes`).
    source
        Named in errors (e.g. the parameter or file the table came from).

    Notes
    -----
    PM3 is weighed in a second pass, from the other allele's class of the first pass (without PM3, so that
    no variant's evidence counts for itself through its partner; ClinGen SVI PM3 v1.0) or its ClinVar P/LP
    assertion. PP5/BP6 are never applied (Biesecker & Harrison 2018).

    Raises
    ------
    InputDataError
        A required column is missing, a ``mode`` or ``segregation`` value is unknown, or a numeric
        column holds text; the message names the column and the variant.
    """
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"{source}: classify_variants needs a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise InputDataError(f"{source}: required column(s) missing: {', '.join(missing)}")
    options = dict(lof_gene_scores=lof_gene_scores, pm2_thresholds=pm2_thresholds, bs1_thresholds=bs1_thresholds,
                   ba1_threshold=ba1_threshold, pp4_threshold=pp4_threshold,
                   use_hpo_inheritance=use_hpo_inheritance, source=source)
    records = df.to_dict("records")
    criteria = [evaluate_variant(r, **options) for r in records]
    first_pass = {str(r["variant_id"]): combine_points(c) for r, c in zip(records, criteria)}
    clinvar_path = {str(r["variant_id"]) for r in records if clinvar_pathogenic(r.get("clin_sig"))}

    for record, crit in zip(records, criteria):
        pm3 = _pm3_for(record, first_pass, clinvar_path)
        if pm3 is None:
            continue
        position = next((i for i, c in enumerate(crit) if not c["code"].startswith(("PVS", "PS", "PM"))), len(crit))
        crit.insert(position, pm3)

    out = df.copy()
    out["acmg_criteria"] = criteria
    out["acmg_points"] = [sum_points(c) for c in criteria]
    out["acmg_points_without_pp4"] = [sum_points(x for x in c if x["code"] not in PHENOTYPE_CRITERIA) for c in criteria]
    out["acmg_class"] = [combine_points(c) for c in criteria]
    out["acmg_codes"] = [",".join(c["code"] for c in crit) for crit in criteria]
    return out


__all__ = [
    "BA1_THRESHOLD",
    "DOMINANT_MODES",
    "PM3_POINTS",
    "PM3_STRENGTH",
    "CLASSES",
    "DEFAULT_BS1_THRESHOLDS",
    "DEFAULT_PM2_THRESHOLDS",
    "DEFAULT_PP4_THRESHOLD",
    "MODES",
    "REVEL_BP4",
    "REVEL_PP3",
    "STRENGTH_POINTS",
    "classify_variants",
    "clinvar_direction",
    "combine_points",
    "evaluate_variant",
    "lof_genes",
    "pm3_criterion",
    "pm3_points",
    "recessive_disease_genes",
    "richards_2015_class",
    "sum_points",
]
