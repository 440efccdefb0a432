"""Cascade screening and segregation for a familial pathogenic / likely pathogenic variant.

* :func:`cascade_list` — which relatives to offer predictive testing and what follow-up each needs: first-degree
  relatives of the proband first, then onward (one first-degree step at a time) through carriers and untested
  relatives; never onward through a non-carrier, and never a non-carrier sent to follow-up.
* :func:`infer_obligate_carriers` — untested people who must carry the variant.
* :func:`segregation` — informative meioses, LOD and the ACMG/AMP PP1 strength or BS4.

Cascade practice follows the 2022 EHRA/HRS/APHRS/LAHRS expert consensus on genetic testing for cardiac
diseases (Wilde AAM et al. Europace 2022;24:1307-1367): variant-specific testing of first-degree relatives,
extended in a cascade; genotype-negative relatives discharged from follow-up for the familial variant.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

import pandas as pd

from ..errors import ParameterError
from .panels import normalise_condition
from .pedigree import Pedigree, pedigree_from

CARRIER = "carrier"
NON_CARRIER = "non-carrier"
UNTESTED = "untested"
OBLIGATE = "obligate carrier"

_CARRIER_VALUES = {"carrier", "het", "heterozygous", "hom", "homozygous", "hemizygous", "hemi", "positive",
                   "pos", "yes", "true", "1", "0/1", "1/0", "0|1", "1|0", "1/1", "1|1", "1/2", "2/1", "+"}
_NON_CARRIER_VALUES = {"non-carrier", "noncarrier", "non_carrier", "negative", "neg", "no", "false", "0",
                       "0/0", "0|0", "wt", "wildtype", "wild-type", "ref", "-"}
_UNTESTED_VALUES = {"untested", "unknown", "not tested", "na", "n/a", "none", "", "./.", ".|.", ".", "nan"}

# Surveillance of genotype-positive relatives per condition (2022 ESC VA/SCD guideline, Zeppenfeld K et al.
# Eur Heart J 2022;43:3997; 2023 ESC cardiomyopathy guideline, Arbelo E et al. Eur Heart J 2023;44:3503;
# 2022 EHRA/HRS/APHRS/LAHRS genetic-testing consensus). Text for the report; the clinician decides.
SURVEILLANCE: dict[str, str] = {
    "long_qt": "clinical surveillance for long QT syndrome: ECG with QTc, beta-blocker to be considered even "
               "with a normal QTc, avoid QT-prolonging drugs (crediblemeds.org), correct hypokalaemia",
    "brugada": "clinical surveillance for Brugada syndrome: ECG (high precordial leads), treat fever promptly, "
               "avoid drugs listed on brugadadrugs.org",
    "hcm": "clinical surveillance for HCM: ECG and echocardiography (or CMR), every 1-2 years in children "
           "and every 3-5 years in adults",
    "acm": "clinical surveillance for arrhythmogenic cardiomyopathy: ECG, Holter and cardiac imaging every "
           "1-3 years; advise against high-intensity/competitive exercise",
    "cpvt": "clinical surveillance for CPVT: exercise ECG, beta-blocker recommended for genotype-positive "
            "relatives, avoid strenuous exercise until assessed",
    "dcm": "clinical surveillance for dilated cardiomyopathy: ECG, Holter and echocardiography (or CMR), repeated "
           "at intervals set by age and genotype (closer follow-up for arrhythmic genotypes such as LMNA, FLNC, "
           "RBM20, DSP, PLN)",
}
GENERIC_SURVEILLANCE = "clinical cardiac surveillance for the familial condition (ECG, imaging as indicated)"


def genotype_status(value: Any) -> str:
    """``'carrier'``, ``'non-carrier'`` or ``'untested'`` from a label or a VCF genotype (``0/1``, ``0/0``,
    ``./.`` ...). Raises :class:`ParameterError` for anything else."""
    if value is None:
        return UNTESTED
    if isinstance(value, bool):
        return CARRIER if value else NON_CARRIER
    try:
        if pd.isna(value):
            return UNTESTED
    except (TypeError, ValueError):
        pass
    s = str(value).strip().lower()
    if s in _CARRIER_VALUES or s == OBLIGATE:
        return CARRIER
    if s in _NON_CARRIER_VALUES:
        return NON_CARRIER
    if s in _UNTESTED_VALUES:
        return UNTESTED
    raise ParameterError(f"genotype: cannot read {value!r} as carrier / non-carrier / untested")


def _statuses(ped: Pedigree, genotypes: Mapping[str, Any] | None) -> dict[str, str]:
    # samples of other families (a joint VCF) are ignored; a person of this family without a genotype is
    # untested, which errs on the side of offering testing
    out = {i: UNTESTED for i in ped.order}
    for iid, value in (genotypes or {}).items():
        key = str(iid)
        if key not in ped:
            continue
        try:
            out[key] = genotype_status(value)
        except ParameterError as err:
            raise ParameterError(f"genotypes: individual {key!r}: {err}") from None
    return out


def _affection(ped: Pedigree, affected: Mapping[str, Any] | Iterable[str] | None) -> dict[str, str]:
    code = {2: "affected", 1: "unaffected", 0: "unknown"}
    out = {i: code[ped.phenotype[i]] for i in ped.order}
    if affected is None:
        return out
    if isinstance(affected, Mapping):
        for iid, val in affected.items():
            key = ped.require(str(iid), "affected")
            if isinstance(val, str):
                v = val.strip().lower()
                out[key] = "affected" if v in {"affected", "2", "yes", "true"} else (
                    "unaffected" if v in {"unaffected", "1", "no", "false"} else "unknown")
            elif val is None:
                out[key] = "unknown"
            elif val is True:
                out[key] = "affected"
            elif val is False:
                out[key] = "unaffected"
            else:  # PED coding: 2 affected, 1 unaffected, 0 unknown
                out[key] = {2: "affected", 1: "unaffected"}.get(int(val) if str(val).isdigit() else -1, "unknown")
        return out
    for iid in affected:
        out[ped.require(str(iid), "affected")] = "affected"
    return out


def _deceased_set(ped: Pedigree, deceased: Iterable[str] | Mapping[str, Any] | None) -> set[str]:
    if deceased is None:
        return set()
    if isinstance(deceased, Mapping):
        items = [k for k, v in deceased.items() if bool(v) and not (isinstance(v, float) and math.isnan(v))]
    else:
        items = list(deceased)
    return {ped.require(str(i), "deceased") for i in items}


def infer_obligate_carriers(ped: Pedigree | pd.DataFrame, genotypes: Mapping[str, Any], *,
                            family_id: str | None = None) -> set[str]:
    """Untested individuals who must carry the variant (dominant transmission, a single origin assumed).

    An untested person is an obligate carrier when (a) a child is a carrier (tested or obligate) and a
    carrier blood relative exists on the person's own side (through their parents, not their descendants),
    with the child's other parent not a known carrier; or (b) carrier children by two different partners.
    The rule is applied until nothing changes, so a chain (untested father, untested grandfather, carrier
    great-aunt) is resolved.
    """
    p = pedigree_from(ped, family_id=family_id)
    status = _statuses(p, genotypes)
    carriers = {i for i, s in status.items() if s == CARRIER}
    obligate: set[str] = set()
    changed = True
    while changed:
        changed = False
        known = carriers | obligate
        for x in p.order:
            if status[x] != UNTESTED or x in obligate:
                continue
            carrier_kids = [c for c in p.children.get(x, []) if c in known]
            if not carrier_kids:
                continue
            co_parents = {q for c in carrier_kids for q in p.parents(c) if q != x}
            if len({tuple(sorted(set(p.parents(c)) - {x})) for c in carrier_kids}) >= 2:
                obligate.add(x)
                changed = True
                continue
            if any(q in known for q in co_parents):
                continue
            own_side = set()
            for anc in p.ancestors(x):
                if anc == x:
                    continue
                own_side.add(anc)
                own_side |= p.descendants(anc)
            own_side -= p.descendants(x) | {x}
            # a carrier reachable through the co-parent's family does not make x obligate
            co_side = set()
            for q in co_parents:
                for anc in p.ancestors(q):
                    co_side.add(anc)
                    co_side |= p.descendants(anc)
            if any(r in known and r not in co_side for r in own_side):
                obligate.add(x)
                changed = True
    return obligate


def _recommendation(status: str, phenotype: str, deceased: bool, condition: str | None,
                    low_prior_note: str | None) -> tuple[str, bool]:
    surveil = SURVEILLANCE.get(condition or "", GENERIC_SURVEILLANCE)
    if status == NON_CARRIER:
        if phenotype == "affected":
            return ("does not carry the familial variant: no follow-up for the familial variant; the affected "
                    "phenotype needs its own work-up (phenocopy or second cause); counts against "
                    "segregation (BS4 from two or more such relatives)"), False
        return ("non-carrier of the familial variant: no further follow-up for the familial variant, "
                "discharge from family screening (re-refer if symptoms)"), False
    if deceased:
        if status in (CARRIER, OBLIGATE):
            return (f"deceased {status}: no testing; informs the risk of their relatives"), False
        return ("deceased, untested: consider molecular autopsy / testing of stored material (tissue, DNA) if "
                "available; relatives remain at risk"), False
    if status == CARRIER:
        return (f"carrier: {surveil}; offer cascade testing to their first-degree relatives"), True
    if status == OBLIGATE:
        return (f"obligate carrier (inferred from relatives): confirmatory testing optional; {surveil}; "
                "offer cascade testing to their first-degree relatives"), True
    text = ("untested: offer predictive genetic testing for the familial variant (after genetic counselling) "
            "and clinical screening until the result is known")
    if low_prior_note:
        text += f" ({low_prior_note})"
    return text, True


CASCADE_COLUMNS = ["person", "family_id", "relation", "degree", "cascade_step", "sex", "genotype_status",
                   "phenotype_status", "deceased", "at_risk_via", "follow_up", "recommendation"]


def cascade_list(
    ped: Pedigree | pd.DataFrame,
    *,
    proband: str,
    genotypes: Mapping[str, Any] | None = None,
    condition: str | None = None,
    deceased: Iterable[str] | Mapping[str, Any] | None = None,
    affected: Mapping[str, Any] | Iterable[str] | None = None,
    family_id: str | None = None,
) -> pd.DataFrame:
    """Relatives to offer predictive testing for the proband's P/LP variant, with recommended follow-up.

    Parameters
    ----------
    ped
        PED DataFrame (``read_ped`` columns) or a :class:`Pedigree`.
    proband
        Individual id of the proband (must carry the variant or be untested; a non-carrier proband is an
        error).
    genotypes
        Per individual: ``'carrier'``, ``'non-carrier'``, ``'untested'`` or a VCF genotype string; absent
        individuals are untested; ids of other families (e.g. all samples of a joint VCF) are ignored.
    condition
        Condition key (``long_qt``, ``brugada``, ``hcm``, ``acm``, ``cpvt``) for the surveillance text.
    deceased
        Ids (or a mapping id -> bool) of deceased individuals.
    affected
        Override of the PED phenotype: ids of affected individuals, or a mapping id -> affected/unaffected.

    Returns
    -------
    pandas.DataFrame
        One row per blood relative reached in the cascade (the proband excluded), columns
        ``CASCADE_COLUMNS``, ordered by cascade step (1 = first-degree relative of the proband), then degree.
        ``follow_up`` is False for every non-carrier and every deceased person.
    """
    p = pedigree_from(ped, family_id=family_id)
    prob = p.require(proband, "proband")
    cond = normalise_condition(condition) if condition else None
    status = _statuses(p, genotypes)
    if status[prob] == NON_CARRIER:
        raise ParameterError(f"proband {prob!r} is genotyped as a non-carrier of the familial variant")
    status[prob] = CARRIER  # the proband's variant starts the cascade
    obligate = infer_obligate_carriers(p, {k: v for k, v in status.items() if v != UNTESTED})
    for o in obligate:
        status[o] = OBLIGATE
    dead = _deceased_set(p, deceased)
    pheno = _affection(p, affected)

    rows = []
    seen = {prob}
    queue: deque[tuple[str, str, int]] = deque((r, prob, 1) for r in p.first_degree(prob))
    for r, _, _ in queue:
        seen.add(r)
    carriers_known = {i for i, s in status.items() if s in (CARRIER, OBLIGATE)}
    while queue:
        person, via, step = queue.popleft()
        if not p.is_blood_relative(prob, person):
            continue  # partners of relatives are not at risk of the familial variant
        relation, degree = p.relationship(prob, person)
        st = status[person]
        low_prior = None
        expand = st in (CARRIER, OBLIGATE, UNTESTED)
        if st == UNTESTED and person in p.parents(via) and via in carriers_known:
            other = [q for q in p.parents(via) if q != person]
            if other and other[0] in carriers_known:
                low_prior = f"low prior risk: the variant in {via} is explained by {other[0]}"
                expand = False
        text, follow = _recommendation(st, pheno[person], person in dead, cond, low_prior)
        rows.append({
            "person": person, "family_id": p.family_id, "relation": relation, "degree": degree,
            "cascade_step": step, "sex": {1: "M", 2: "F"}.get(p.sex[person], "U"), "genotype_status": st,
            "phenotype_status": pheno[person], "deceased": person in dead, "at_risk_via": via,
            "follow_up": follow, "recommendation": text,
        })
        if expand:
            for nxt in p.first_degree(person):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, person, step + 1))
    out = pd.DataFrame(rows, columns=CASCADE_COLUMNS)
    if not out.empty:
        out = out.sort_values(["cascade_step", "degree"], kind="stable", na_position="last").reset_index(drop=True)
    return out


# --- segregation -----------------------------------------------------------------------------------------

# PP1 thresholds on the LOD score.
# ClinGen Inherited Cardiomyopathy Expert Panel (MYH7 specifications, Kelly MA et al. Genet Med 2018;20:351-359;
# ClinGen CSpec for the cardiomyopathy VCEP): supporting >= 3 segregations (LOD 0.9), moderate >= 5 (LOD 1.5),
# strong >= 7 (LOD 2.1) — set conservatively for genetically heterogeneous cardiomyopathies.
# Jarvik GP, Browning BL. Consideration of cosegregation in the pathogenicity classification of genomic
# variants. Am J Hum Genet 2016;98:1077-1081: supporting LOD 0.9 (1/8), moderate 1.2 (1/16), strong 1.5 (1/32).
PP1_THRESHOLDS: dict[str, tuple[tuple[str, float], ...]] = {
    "clingen_cardiomyopathy": (("strong", 2.1), ("moderate", 1.5), ("supporting", 0.9)),
    "jarvik_browning": (("strong", 1.5), ("moderate", 1.2), ("supporting", 0.9)),
}
LOG10_2 = math.log10(2.0)

# BS4 (lack of segregation) needs at least this many genotyped affected blood relatives without the variant.
# ACMG/AMP (Richards S et al. Genet Med 2015;17:405, BS4 caveat): "the presence of phenocopies for common
# phenotypes can mimic lack of segregation among affected individuals; families may have more than one
# pathogenic variant". Jarvik GP, Browning BL (Am J Hum Genet 2016;98:1077) show that segregation evidence must
# allow for phenocopies and that a single discordant relative is weak evidence. Phenocopies are common in the
# cardiac conditions (hypertensive or athlete's LVH for HCM, drug-induced or acquired QT prolongation, ischaemic
# or toxic DCM). One affected non-carrier therefore gives neither BS4 nor PP1 (the family is discordant: review
# that relative's phenotype); two or more give BS4. The count of two is this project's conservative choice
# (ClinGen VCEPs that quantify BS4 require more than one discordant observation, e.g. the Myeloid Malignancy
# VCEP's RUNX1 specification, Luo X et al. Blood Adv 2019;3:2962: >= 2 informative meioses).
BS4_MIN_AFFECTED_NON_CARRIERS = 2


@dataclass
class SegregationResult:
    """Segregation evidence for a dominant variant in one family."""

    model: str
    informative_meioses: int
    lod: float
    pp1_strength: str | None
    evidence: str | None
    bs4: bool
    affected_carriers: list[str] = field(default_factory=list)
    affected_non_carriers: list[str] = field(default_factory=list)
    unaffected_carriers: list[str] = field(default_factory=list)
    unaffected_non_carriers_counted: list[str] = field(default_factory=list)
    obligate_carriers: list[str] = field(default_factory=list)
    thresholds: str = "clingen_cardiomyopathy"
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if math.isinf(self.lod):
            d["lod"] = None
        return d


def lod_fully_segregating(meioses: int) -> float:
    """LOD of ``meioses`` fully segregating informative meioses: ``N × log10(2)`` (Jarvik & Browning 2016)."""
    if meioses < 0:
        raise ParameterError(f"meioses: must be >= 0, got {meioses}")
    return meioses * LOG10_2


def pp1_strength(lod: float, *, thresholds: str = "clingen_cardiomyopathy") -> str | None:
    """``'strong'``, ``'moderate'``, ``'supporting'`` or ``None`` for a LOD score."""
    try:
        table = PP1_THRESHOLDS[thresholds]
    except KeyError:
        raise ParameterError(f"thresholds: {thresholds!r} is not one of {sorted(PP1_THRESHOLDS)}") from None
    for name, cut in table:
        if lod >= cut:
            return name
    return None


def _steiner_edges(p: Pedigree, terminals: list[str], start: str) -> tuple[set[str], int, list[str]]:
    """Approximate minimal parent/child tree connecting ``terminals`` (greedy nearest-terminal joining)."""
    tree = {start}
    remaining = [t for t in terminals if t != start]
    while remaining:
        best = None
        for t in remaining:
            path = p.shortest_path(tree, t)
            if path is not None and (best is None or len(path) < len(best)):
                best = path
        if best is None:
            break
        tree |= set(best)
        remaining = [t for t in remaining if t not in tree]
    edges = sum(1 for n in tree for q in p.parents(n) if q in tree)
    tops = [n for n in tree if not any(q in tree for q in p.parents(n))]
    return tree, edges, tops


def segregation(
    ped: Pedigree | pd.DataFrame,
    *,
    proband: str,
    genotypes: Mapping[str, Any],
    affected: Mapping[str, Any] | Iterable[str] | None = None,
    model: str = "affected_only",
    thresholds: str = "clingen_cardiomyopathy",
    family_id: str | None = None,
) -> SegregationResult:
    """Co-segregation of a dominant variant with disease in one family.

    The informative meioses are counted on the smallest parent/child tree joining the affected carriers
    (genotyped, or obligate carriers): each edge is a meiosis, less one when the top of the tree is an
    untested ancestor whose transmitting parent is unknown (siblings: 1, first cousins: 3, parent-child: 1,
    aunt-nephew through an untested parent: 2). ``model='full_penetrance'`` adds one meiosis for each
    unaffected genotyped non-carrier child of someone on that tree and is void when an unaffected carrier
    exists. LOD = N × log10(2) (Jarvik & Browning, Am J Hum Genet 2016;98:1077). An affected relative who
    does not carry the variant gives BS4 instead of PP1.

    Returns
    -------
    SegregationResult
    """
    if model not in ("affected_only", "full_penetrance"):
        raise ParameterError(f"model: {model!r} is not 'affected_only' or 'full_penetrance'")
    if thresholds not in PP1_THRESHOLDS:
        raise ParameterError(f"thresholds: {thresholds!r} is not one of {sorted(PP1_THRESHOLDS)}")
    p = pedigree_from(ped, family_id=family_id)
    prob = p.require(proband, "proband")
    status = _statuses(p, genotypes)
    if status[prob] == NON_CARRIER:
        raise ParameterError(f"proband {prob!r} is genotyped as a non-carrier of the familial variant")
    status[prob] = CARRIER
    pheno = _affection(p, affected)
    obligate = infer_obligate_carriers(p, {k: v for k, v in status.items() if v != UNTESTED})
    blood = [i for i in p.order if p.is_blood_relative(prob, i)]
    carriers = {i for i in blood if status[i] == CARRIER} | (obligate & set(blood))
    aff_car = [i for i in blood if i in carriers and pheno[i] == "affected"]
    aff_non = [i for i in blood if status[i] == NON_CARRIER and pheno[i] == "affected"]
    unaff_car = [i for i in blood if status[i] == CARRIER and pheno[i] == "unaffected"]
    notes: list[str] = []
    if pheno[prob] != "affected":
        notes.append(f"proband {prob!r} is not coded affected")

    terminals = list(dict.fromkeys([prob] + aff_car))
    tree, edges, tops = _steiner_edges(p, terminals, prob)
    # an ancestor at the top of the tree who is not itself an affected carrier transmitted one of two
    # alleles we cannot tell apart: its first meiosis is not informative
    meioses = edges - sum(1 for t in tops if t not in terminals)
    meioses = max(meioses, 0)
    counted_unaff: list[str] = []
    lod: float
    if model == "full_penetrance":
        if unaff_car:
            notes.append(f"unaffected carrier(s) {unaff_car} are incompatible with full penetrance; "
                         "use model='affected_only'")
            lod = float("-inf")
        else:
            counted_unaff = [i for i in blood if status[i] == NON_CARRIER and pheno[i] == "unaffected"
                             and any(q in tree for q in p.parents(i))]
            meioses += len(counted_unaff)
            lod = lod_fully_segregating(meioses)
    else:
        lod = lod_fully_segregating(meioses)
    bs4 = len(aff_non) >= BS4_MIN_AFFECTED_NON_CARRIERS
    if bs4:
        notes.append(f"affected relatives {aff_non} do not carry the variant: lack of segregation (BS4, "
                     f"{len(aff_non)} affected non-carriers); review their phenotypes (phenocopies occur)")
        strength, evidence = None, "BS4"
    elif aff_non:
        notes.append(f"affected relative {aff_non[0]} does not carry the variant: possible phenocopy. One "
                     f"discordant relative is not enough for BS4 (>= {BS4_MIN_AFFECTED_NON_CARRIERS} needed; "
                     "Richards et al. 2015 caveat, Jarvik & Browning 2016), and the family no longer supports PP1: "
                     "neither is applied; review that relative's phenotype")
        strength, evidence = None, None
    else:
        strength = pp1_strength(lod, thresholds=thresholds) if math.isfinite(lod) else None
        evidence = None if strength is None else ("PP1" if strength == "supporting" else f"PP1_{strength.capitalize()}")
    return SegregationResult(
        model=model, informative_meioses=meioses, lod=lod, pp1_strength=strength, evidence=evidence, bs4=bs4,
        affected_carriers=[i for i in aff_car if i != prob], affected_non_carriers=aff_non,
        unaffected_carriers=unaff_car, unaffected_non_carriers_counted=counted_unaff,
        obligate_carriers=sorted(obligate), thresholds=thresholds, notes=notes,
    )


def cascade_records(cascade: pd.DataFrame) -> list[dict[str, Any]]:
    """The ``cascade`` entries of ``summary.json``: person, relation, degree, genotype_status, recommendation
    (plus phenotype_status, deceased, follow_up)."""
    cols = ["person", "relation", "degree", "genotype_status", "recommendation", "phenotype_status",
            "deceased", "follow_up"]
    out = []
    for rec in cascade[cols].to_dict(orient="records"):
        rec["degree"] = None if pd.isna(rec["degree"]) else int(rec["degree"])
        rec["deceased"] = bool(rec["deceased"])
        rec["follow_up"] = bool(rec["follow_up"])
        out.append(rec)
    return out


def genotypes_from_vcf(gt_by_sample: Mapping[str, Any]) -> dict[str, str]:
    """Map sample -> VCF GT string (``0/1``, ``0/0``, ``./.``) to carrier / non-carrier / untested."""
    return {str(s): genotype_status(g) for s, g in gt_by_sample.items()}


def clinical_screening_list(pedigree: Pedigree, *, proband: str, deceased: set[str], affected: Mapping[str, str],
                            condition: str | None, reason: str) -> pd.DataFrame:
    """First-degree relatives for clinical (phenotype) screening when the family has no P/LP variant: no
    predictive genetic testing (a VUS is not used for it), nobody discharged."""
    surveil = SURVEILLANCE.get(condition or "", GENERIC_SURVEILLANCE)
    rows = []
    for person in pedigree.first_degree(proband):
        relation, degree = pedigree.relationship(proband, person)
        dead = person in deceased
        text = ("deceased: consider molecular autopsy / testing of stored material if available" if dead else
                f"{reason}; no predictive genetic testing; clinical screening: {surveil}")
        rows.append({"person": person, "family_id": pedigree.family_id, "relation": relation, "degree": degree,
                     "cascade_step": 1, "sex": {1: "M", 2: "F"}.get(pedigree.sex[person], "U"),
                     "genotype_status": UNTESTED, "phenotype_status": affected.get(person, "unknown"),
                     "deceased": dead, "at_risk_via": proband, "follow_up": not dead, "recommendation": text})
    return pd.DataFrame(rows, columns=CASCADE_COLUMNS)


__all__ = [
    "CARRIER", "NON_CARRIER", "UNTESTED", "OBLIGATE", "SURVEILLANCE", "CASCADE_COLUMNS",
    "genotype_status", "genotypes_from_vcf", "cascade_records", "infer_obligate_carriers", "cascade_list",
    "clinical_screening_list",
    "SegregationResult", "segregation", "lod_fully_segregating", "pp1_strength", "PP1_THRESHOLDS",
    "BS4_MIN_AFFECTED_NON_CARRIERS",
]
