"""ACMG/AMP variant classification (Richards et al. 2015 Genet Med 17:405) with the ClinGen points system.

Generic engine shared by the rare-disease and cardiac analyses: it takes a *small* pandas table of
candidate variants (after Hail filtering) and returns it with ``acmg_class``, ``acmg_points`` and
``acmg_criteria`` (every criterion that fired, as ``{"code", "strength", "points", "reason"}``).

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
``max_af`` (float)
    Highest population allele frequency (gnomAD popmax or similar); NaN = absent from the databases.
``revel`` (float)
    REVEL score; used for missense variants only.
``clin_sig`` (str)
    ClinVar significance from VEP CSQ (``CLIN_SIG``), terms joined by ``&``, ``/`` or ``,``.
``mode`` (str)
    One of :data:`MODES`: ``de_novo``, ``autosomal_recessive``, ``compound_heterozygous``,
    ``x_linked``, ``autosomal_dominant``.
``parents_tested`` (bool)
    Both parents genotyped (trio): a de novo call is then *confirmed* (PS2), else *assumed* (PM6).
``in_trans_with`` (str)
    ``variant_id`` of the other allele of a compound heterozygote (phased by transmission).
``phenotype_score`` (float, 0..1)
    Phenotype match of the gene (:func:`bigmed_utils.phenotype.similarity.rank_genes`).
``in_repeat_region`` (bool)
    The variant lies in a repetitive region (suppresses PM4).
``observed_in_unaffected`` (bool)
    Seen in an unaffected family member in a state incompatible with full penetrance (BS2).
``segregation`` (str)
    A segregation criterion already weighed by the caller (cardiac cascade analysis), e.g.
    ``"PP1"``, ``"PP1_Moderate"``, ``"PP1_Strong"`` or ``"BS4"``.

Criteria implemented
--------------------
PVS1 (null variant in a gene where loss of function is a disease mechanism: bundled ClinGen
haploinsufficiency score 3; for recessive modes also score 30 = autosomal recessive, or a gene annotated
to a recessive disorder in hpo3's HPO annotations; start_lost at moderate strength), PS2/PM6, PM2_Supporting, PM3, PM4, PP3/BP4 (REVEL, Pejaver et al. 2022), BA1, BS1,
BS2, PP4, PP1/BS4 (passed through), PP5/BP6 (ClinVar, optional, see :func:`classify_variants`).

Combining: Tavtigian et al. 2020 (Hum Mutat 41:1734) points -- supporting 1, moderate 2, strong 4,
very strong 8, benign criteria negative; Pathogenic >= 10, Likely pathogenic 6..9, Uncertain
significance 0..5, Likely benign -1..-6, Benign <= -7; BA1 alone gives Benign. The original Richards
et al. 2015 Table 5 rules are available as :func:`richards_2015_class` for comparison.

Limitations (documented, not hidden): PVS1 does not apply the full Abou Tayoun et al. 2018 decision tree
(no exon/NMD information), PS1/PM5/PM1/PS3/BS3/PS4 need data this engine is not given.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, Iterable, Mapping

import pandas as pd

from .._resources import data_path
from ..errors import InputDataError, ParameterError

#: inheritance modes, as named by the rare-disease analysis (summary.json contract)
MODES = ("de_novo", "autosomal_recessive", "compound_heterozygous", "x_linked", "autosomal_dominant")
RECESSIVE_MODES = frozenset({"autosomal_recessive", "compound_heterozygous", "x_linked"})

#: points per evidence strength (Tavtigian et al. 2020 Hum Mutat 41:1734, Table 1: odds of pathogenicity
#: 350 : 18.7 : 4.33 : 2.08 = 2.08^8 : 2.08^4 : 2.08^2 : 2.08^1)
STRENGTH_POINTS = {"Very strong": 8, "Strong": 4, "Moderate": 2, "Supporting": 1}
#: BA1 is stand-alone evidence; in the points system it is scored -8 and forces Benign
STAND_ALONE_POINTS = -8

#: class boundaries of the points system (Tavtigian et al. 2020, Table 2)
PATHOGENIC_MIN_POINTS = 10
LIKELY_PATHOGENIC_MIN_POINTS = 6
LIKELY_BENIGN_MAX_POINTS = -1
BENIGN_MAX_POINTS = -7

PATHOGENIC = "Pathogenic"
LIKELY_PATHOGENIC = "Likely pathogenic"
VUS = "Uncertain significance"
LIKELY_BENIGN = "Likely benign"
BENIGN = "Benign"
CLASSES = (PATHOGENIC, LIKELY_PATHOGENIC, VUS, LIKELY_BENIGN, BENIGN)

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

REQUIRED_COLUMNS = ("variant_id", "gene", "consequence")
OPTIONAL_COLUMNS = ("impact", "hgvsp", "max_af", "revel", "clin_sig", "mode", "parents_tested", "in_trans_with",
                    "phenotype_score", "in_repeat_region", "observed_in_unaffected", "segregation")

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


def _criterion(code: str, strength: str, reason: str, *, benign: bool = False) -> dict[str, Any]:
    if strength == "Stand-alone":
        points = STAND_ALONE_POINTS
    else:
        points = STRENGTH_POINTS[strength] * (-1 if benign else 1)
    return {"code": code, "strength": strength, "points": points, "reason": reason}


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


def evaluate_variant(
    row: Mapping[str, Any],
    *,
    lof_gene_scores: Mapping[str, int] | None = None,
    pm2_thresholds: Mapping[str, float] | None = None,
    bs1_thresholds: Mapping[str, float] | None = None,
    ba1_threshold: float = BA1_THRESHOLD,
    pp4_threshold: float = DEFAULT_PP4_THRESHOLD,
    use_clinvar: bool = True,
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
    pheno = _number(row.get("phenotype_score"), "phenotype_score", variant_id, source)
    recessive = mode in RECESSIVE_MODES
    out: list[dict[str, Any]] = []

    # --- PVS1: null variant where loss of function causes disease ---------------------------------
    null_terms = [c for c in NULL_CONSEQUENCES if c in consequences]
    hi = scores.get(gene)
    mechanism = None
    if hi == 3 or (recessive and hi == 30):
        mechanism = f"loss of function is a known disease mechanism (ClinGen HI score {hi})"
    elif null_terms and recessive and use_hpo_inheritance and gene in recessive_disease_genes(mode):
        inheritance = "X-linked" if mode == "x_linked" else "autosomal recessive"
        mechanism = f"gene of an {inheritance} disorder in HPO annotations (biallelic loss of function)"
    is_null = bool(null_terms) and mechanism is not None
    if is_null:
        term = null_terms[0]
        if term == "start_lost" and len(null_terms) == 1:
            out.append(_criterion("PVS1_Moderate", "Moderate",
                                  f"null variant (start_lost) in {gene}; {mechanism}; initiation codon variant: "
                                  "moderate strength (Abou Tayoun et al. 2018)"))
        else:
            out.append(_criterion("PVS1", "Very strong", f"null variant ({term}) in {gene}; {mechanism}"))

    # --- PS2 / PM6: de novo -------------------------------------------------------------------------
    if mode == "de_novo":
        if _flag(row.get("parents_tested")):
            out.append(_criterion("PS2", "Strong", "de novo: absent from both tested parents"))
        else:
            out.append(_criterion("PM6", "Moderate", "assumed de novo: parents not both tested"))

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

    # --- PP3 (REVEL, missense only) -------------------------------------------------------------------
    missense = "missense_variant" in consequences and not is_null
    if missense and revel is not None:
        for threshold, strength in REVEL_PP3:
            if revel >= threshold:
                code = "PP3" if strength == "Supporting" else f"PP3_{strength}"
                out.append(_criterion(code, strength, f"REVEL {revel:g} >= {threshold:g} (Pejaver et al. 2022)"))
                break

    # --- PP4: phenotype specific for the gene's disease ------------------------------------------------
    if pheno is not None and pheno >= pp4_threshold:
        out.append(_criterion("PP4", "Supporting", f"phenotype match score {pheno:.2f} >= {pp4_threshold:g}"))

    # --- PP5 / BP6: ClinVar assertion (optional) -------------------------------------------------------
    direction = clinvar_direction(row.get("clin_sig")) if use_clinvar else None
    if direction == "pathogenic":
        out.append(_criterion("PP5", "Supporting",
                              f"ClinVar: {row.get('clin_sig')} (PP5 is discouraged by ClinGen SVI; supporting only)"))

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
    if missense and revel is not None:
        for threshold, strength in REVEL_BP4:
            if revel <= threshold:
                code = "BP4" if strength == "Supporting" else f"BP4_{strength}"
                out.append(_criterion(code, strength, f"REVEL {revel:g} <= {threshold:g} (Pejaver et al. 2022)",
                                      benign=True))
                break
    if direction == "benign":
        out.append(_criterion("BP6", "Supporting",
                              f"ClinVar: {row.get('clin_sig')} (BP6 is discouraged by ClinGen SVI; supporting only)",
                              benign=True))
    return out


def sum_points(criteria: Iterable[Mapping[str, Any]]) -> int:
    """Total points of a list of criteria (each with a ``points`` key)."""
    return int(sum(int(c["points"]) for c in criteria))


def combine_points(criteria: Iterable[Mapping[str, Any]]) -> str:
    """Class from the ClinGen/Tavtigian points (Tavtigian et al. 2020 Hum Mutat 41:1734).

    ``criteria`` are dicts with ``points`` (and ``code``). BA1 (stand-alone) gives Benign whatever else
    fired; otherwise Pathogenic >= 10, Likely pathogenic 6..9, Uncertain significance 0..5, Likely benign
    -1..-6, Benign <= -7.
    """
    criteria = list(criteria)
    if any(str(c.get("code", "")).startswith("BA1") for c in criteria):
        return BENIGN
    points = sum_points(criteria)
    if points >= PATHOGENIC_MIN_POINTS:
        return PATHOGENIC
    if points >= LIKELY_PATHOGENIC_MIN_POINTS:
        return LIKELY_PATHOGENIC
    if points <= BENIGN_MAX_POINTS:
        return BENIGN
    if points <= LIKELY_BENIGN_MAX_POINTS:
        return LIKELY_BENIGN
    return VUS


_STRENGTH_FROM_SUFFIX = {"VERYSTRONG": "Very strong", "VERY_STRONG": "Very strong", "STRONG": "Strong",
                         "MODERATE": "Moderate", "SUPPORTING": "Supporting", "STANDALONE": "Stand-alone"}
_DEFAULT_STRENGTH = {"PVS": "Very strong", "PS": "Strong", "PM": "Moderate", "PP": "Supporting",
                     "BA": "Stand-alone", "BS": "Strong", "BP": "Supporting"}


def _strength_and_direction(criterion: Any) -> tuple[str, str]:
    """(strength, "pathogenic"|"benign") of a criterion dict or a code such as ``"PM2_Supporting"``."""
    if isinstance(criterion, Mapping):
        code = str(criterion["code"])
        strength = criterion.get("strength")
    else:
        code, strength = str(criterion), None
    base, _, suffix = code.partition("_")
    prefix = re.match(r"^(PVS|PS|PM|PP|BA|BS|BP)", base.upper())
    if prefix is None:
        raise ParameterError(f"not an ACMG/AMP criterion code: {code!r}")
    if not strength:
        strength = _STRENGTH_FROM_SUFFIX.get(suffix.upper(), _DEFAULT_STRENGTH[prefix.group(1)]) if suffix else \
            _DEFAULT_STRENGTH[prefix.group(1)]
    return strength, ("benign" if prefix.group(1).startswith("B") else "pathogenic")


def richards_2015_class(criteria: Iterable[Any]) -> str:
    """Class from the original combining rules (Richards et al. 2015 Genet Med 17:405, Table 5).

    ``criteria``: dicts with ``code`` (and ``strength``) or plain codes (``"PVS1"``, ``"PM2_Supporting"``);
    a strength suffix counts at the applied strength. When both pathogenic and benign rules are met the
    result is Uncertain significance (Table 5, VUS (ii)).
    """
    counts = {("pathogenic", s): 0 for s in ("Very strong", "Strong", "Moderate", "Supporting")}
    counts.update({("benign", s): 0 for s in ("Stand-alone", "Very strong", "Strong", "Moderate", "Supporting")})
    for criterion in criteria:
        strength, direction = _strength_and_direction(criterion)
        counts[(direction, strength)] = counts.get((direction, strength), 0) + 1
    pvs, ps = counts[("pathogenic", "Very strong")], counts[("pathogenic", "Strong")]
    pm, pp = counts[("pathogenic", "Moderate")], counts[("pathogenic", "Supporting")]
    ba = counts[("benign", "Stand-alone")]
    # a benign criterion applied at very strong or moderate strength counts as strong / supporting here
    bs = counts[("benign", "Strong")] + counts[("benign", "Very strong")]
    bp = counts[("benign", "Supporting")] + counts[("benign", "Moderate")]

    pathogenic = (
        (pvs >= 1 and (ps >= 1 or pm >= 2 or (pm == 1 and pp == 1) or pp >= 2))
        or ps >= 2
        or (ps == 1 and (pm >= 3 or (pm == 2 and pp >= 2) or (pm == 1 and pp >= 4)))
    )
    likely_pathogenic = (
        (pvs == 1 and pm == 1)
        or (ps == 1 and 1 <= pm <= 2)
        or (ps == 1 and pp >= 2)
        or pm >= 3
        or (pm == 2 and pp >= 2)
        or (pm == 1 and pp >= 4)
    )
    benign = ba >= 1 or bs >= 2
    likely_benign = (bs == 1 and bp >= 1) or bp >= 2
    path_side = pathogenic or likely_pathogenic
    benign_side = benign or likely_benign
    if path_side and benign_side:
        return VUS
    if pathogenic:
        return PATHOGENIC
    if likely_pathogenic:
        return LIKELY_PATHOGENIC
    if benign:
        return BENIGN
    if likely_benign:
        return LIKELY_BENIGN
    return VUS


def classify_variants(
    df: pd.DataFrame,
    *,
    lof_gene_scores: Mapping[str, int] | None = None,
    pm2_thresholds: Mapping[str, float] | None = None,
    bs1_thresholds: Mapping[str, float] | None = None,
    ba1_threshold: float = BA1_THRESHOLD,
    pp4_threshold: float = DEFAULT_PP4_THRESHOLD,
    use_clinvar: bool = True,
    use_hpo_inheritance: bool = True,
    source: str = "candidate table",
) -> pd.DataFrame:
    """Classify candidate variants; return a copy of ``df`` with ``acmg_class``, ``acmg_points``,
    ``acmg_criteria`` (list of ``{"code", "strength", "points", "reason"}``) and ``acmg_codes``
    (e.g. ``"PVS1,PM2_Supporting"``).

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
    use_clinvar
        Count a ClinVar assertion from CSQ as PP5/BP6 at supporting strength. ClinGen SVI (Biesecker &
        Harrison 2018 Genet Med 20:1505) recommends retiring PP5/BP6 because the laboratory cannot see
        or weigh the evidence behind the assertion, which may double count other criteria. Default
        **on** here, deliberately: this is a research triage tool whose pipeline sees no case-level
        evidence (segregation, functional data) other than through ClinVar; one point can never by
        itself move a variant out of VUS, and the code and reason name it so a reviewer can strike it.
        Set ``False`` for ClinGen-conformant classification.
    use_hpo_inheritance
        For recessive modes, also accept genes annotated to a recessive disorder in hpo3 as genes where
        (biallelic) loss of function causes disease (:func:`recessive_disease_genes`).
    source
        Named in errors (e.g. the parameter or file the table came from).

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
                   ba1_threshold=ba1_threshold, pp4_threshold=pp4_threshold, use_clinvar=use_clinvar,
                   use_hpo_inheritance=use_hpo_inheritance, source=source)
    records = df.to_dict("records")
    criteria = [evaluate_variant(r, **options) for r in records]
    first_pass = {str(r["variant_id"]): combine_points(c) for r, c in zip(records, criteria)}
    clinvar_path = {str(r["variant_id"]) for r in records if clinvar_direction(r.get("clin_sig")) == "pathogenic"}

    # PM3 (ClinGen SVI PM3 v1.0: in trans with a pathogenic / likely pathogenic variant = moderate)
    for record, crit in zip(records, criteria):
        other = record.get("in_trans_with")
        if _missing(other) or not str(other).strip():
            continue
        other = str(other).strip()
        other_class = first_pass.get(other)
        if other_class in (PATHOGENIC, LIKELY_PATHOGENIC):
            reason = f"in trans with {other} ({other_class.lower()})"
        elif other in clinvar_path:
            reason = f"in trans with {other} (pathogenic in ClinVar)"
        else:
            continue
        pm3 = _criterion("PM3", "Moderate", reason)
        position = next((i for i, c in enumerate(crit) if not c["code"].startswith(("PVS", "PS", "PM"))), len(crit))
        crit.insert(position, pm3)

    out = df.copy()
    out["acmg_criteria"] = criteria
    out["acmg_points"] = [sum_points(c) for c in criteria]
    out["acmg_class"] = [combine_points(c) for c in criteria]
    out["acmg_codes"] = [",".join(c["code"] for c in crit) for crit in criteria]
    return out


__all__ = [
    "BA1_THRESHOLD",
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
    "recessive_disease_genes",
    "richards_2015_class",
    "sum_points",
]
